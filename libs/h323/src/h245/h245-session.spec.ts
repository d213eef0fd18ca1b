import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { buildTerminalCapabilitySet } from './capabilities';
import type { OpenChannelRequest } from './h245-events';
import { buildAudioOlc, parseOlcAck } from './open-logical-channel';
import { TEST_CAPABILITIES, harness } from './testing/session-harness';

type Msg = H245Types.MultimediaSystemControlMessage;
const RTP = { address: '192.0.2.10', port: 40000 };
const RTCP = { address: '192.0.2.10', port: 40001 };
const REMOTE_RTP = { address: '198.51.100.7', port: 5000 };
const REMOTE_RTCP = { address: '198.51.100.7', port: 5001 };
const req = (value: H245Types.RequestMessage): Msg => ({ tag: 'request', value });
const res = (value: H245Types.ResponseMessage): Msg => ({ tag: 'response', value });
const cmd = (value: H245Types.CommandMessage): Msg => ({ tag: 'command', value });
const ind = (value: H245Types.IndicationMessage): Msg => ({ tag: 'indication', value });
const remoteTcs = (codecs: Array<'g711Ulaw64k' | 'g711Alaw64k' | 'g722-64k'>, sq = 1) =>
  req({ tag: 'terminalCapabilitySet', value: buildTerminalCapabilitySet({ audio: codecs, transmitCapabilities: false }, sq) });
const remoteOlc = (n: number, codec: 'g711Ulaw64k' | 'g722-64k' = 'g711Ulaw64k') =>
  req({ tag: 'openLogicalChannel', value: buildAudioOlc({ channelNumber: n, codec, framesPerPacket: 20, rtcp: REMOTE_RTCP }) });
const olcAck = (n: number): Msg =>
  res({
    tag: 'openLogicalChannelAck',
    value: {
      forwardLogicalChannelNumber: n,
      forwardMultiplexAckParameters: {
        tag: 'h2250LogicalChannelAckParameters',
        value: {
          sessionID: 1,
          mediaChannel: { tag: 'unicastAddress', value: { tag: 'iPAddress', value: { network: Buffer.from([198, 51, 100, 7]), tsapIdentifier: 5000 } } },
          mediaControlChannel: { tag: 'unicastAddress', value: { tag: 'iPAddress', value: { network: Buffer.from([198, 51, 100, 7]), tsapIdentifier: 5001 } } },
        },
      },
    },
  });

describe('H245Session start and capability exchange', () => {
  it('start() sends our TerminalCapabilitySet, then MasterSlaveDetermination with terminalType 190', () => {
    const h = harness();
    h.session.start();
    expect(h.sentKinds()).toEqual(['request.terminalCapabilitySet', 'request.masterSlaveDetermination']);
    expect(h.sent[1]).toEqual(req({ tag: 'masterSlaveDetermination', value: { terminalType: 190, statusDeterminationNumber: 1234 } }));
  });

  it('acks a remote set and reports it; an inconsistent one is rejected and not reported', () => {
    const h = harness();
    h.session.receive(remoteTcs(['g711Alaw64k', 'g711Ulaw64k'], 9));
    expect(h.sent).toEqual([res({ tag: 'terminalCapabilitySetAck', value: { sequenceNumber: 9 } })]);
    expect(h.eventsOf('remote-capabilities')[0][0].receiveAudio.map((c) => c.codec)).toEqual(['g711Alaw64k', 'g711Ulaw64k']);
    h.session.receive(req({ tag: 'terminalCapabilitySet', value: { sequenceNumber: 10, protocolIdentifier: '0.0.8.245.0.15', capabilityDescriptors: [{ capabilityDescriptorNumber: 1, simultaneousCapabilities: [[44]] }] } }));
    expect(h.sent[1]).toEqual(res({ tag: 'terminalCapabilitySetReject', value: { sequenceNumber: 10, cause: { tag: 'undefinedTableEntryUsed', value: null } } }));
    expect(h.eventsOf('remote-capabilities')).toHaveLength(1);
  });

  it('answers SendTerminalCapabilitySet with a new set', () => {
    const h = harness();
    h.session.start();
    h.session.receive(cmd({ tag: 'sendTerminalCapabilitySet', value: { tag: 'genericRequest', value: null } }));
    expect((h.sent[2].value as { value: H245Types.TerminalCapabilitySet }).value.sequenceNumber).toBe(2);
  });

  it('reports master-slave and a T106 failure', () => {
    const h = harness();
    h.session.start();
    h.session.receive(res({ tag: 'masterSlaveDeterminationAck', value: { decision: { tag: 'master', value: null } } }));
    expect(h.eventsOf('master-slave')).toEqual([[{ isMaster: true }]]);
    expect(h.session.isMaster).toBe(true);
    const g = harness();
    g.session.start();
    g.clock.advance(30_000);
    expect(g.eventsOf('protocol-error').map((e) => e[0].procedure).sort()).toEqual(['capability-exchange', 'master-slave']);
  });
});

describe('H245Session outgoing logical channels (§5.3)', () => {
  it('opens none before the remote capabilities are known or without a common codec', () => {
    const h = harness();
    expect(h.session.openAudioChannel({ rtcp: RTCP })).toBeUndefined();
    h.session.receive(remoteTcs(['g722-64k']));
    const g = harness({ capabilities: { audio: ['g711Alaw64k'] } });
    g.session.receive(remoteTcs(['g722-64k']));
    expect(g.session.openAudioChannel({ rtcp: RTCP })).toBeUndefined();
  });

  it('opens with the remote’s preferred codec; the ack gives where to send RTP', () => {
    const h = harness();
    h.session.receive(remoteTcs(['g722-64k', 'g711Ulaw64k']));
    expect(h.session.openAudioChannel({ rtcp: RTCP })).toBe(1);
    const olc = (h.sent[1].value as { value: H245Types.OpenLogicalChannel }).value;
    expect(olc.forwardLogicalChannelParameters.dataType).toEqual({ tag: 'audioData', value: { tag: 'g722-64k', value: 20 } });
    h.session.receive(olcAck(1));
    expect(h.eventsOf('channel-established')).toEqual([[{ direction: 'transmit', channelNumber: 1, codec: 'g722-64k', framesPerPacket: 20, sessionId: 1, remoteRtp: REMOTE_RTP, remoteRtcp: REMOTE_RTCP }]]);
    h.session.closeChannel(1);
    expect(h.sentKinds().at(-1)).toBe('request.closeLogicalChannel');
    h.session.receive(res({ tag: 'closeLogicalChannelAck', value: { forwardLogicalChannelNumber: 1 } }));
    expect(h.eventsOf('channel-closed')).toEqual([[{ direction: 'transmit', kind: 'audio', channelNumber: 1, reason: 'closed' }]]);
    expect(h.clock.timerCount).toBe(0);
  });

  it('reports a reject with its cause, and a T103 timeout after sending CloseLogicalChannel', () => {
    const h = harness();
    h.session.receive(remoteTcs(['g711Ulaw64k']));
    h.session.openAudioChannel({ rtcp: RTCP });
    h.session.receive(res({ tag: 'openLogicalChannelReject', value: { forwardLogicalChannelNumber: 1, cause: { tag: 'insufficientBandwidth', value: null } } }));
    expect(h.eventsOf('channel-closed')).toEqual([[{ direction: 'transmit', kind: 'audio', channelNumber: 1, reason: 'rejected', cause: 'insufficientBandwidth' }]]);
    expect(h.session.openAudioChannel({ rtcp: RTCP })).toBe(2);
    h.clock.advance(30_000);
    expect(h.sentKinds().at(-1)).toBe('request.closeLogicalChannel');
    expect((h.sent.at(-1)?.value as { value: H245Types.CloseLogicalChannel }).value.source.tag).toBe('lcse');
    expect(h.eventsOf('channel-closed')[1]).toEqual([{ direction: 'transmit', kind: 'audio', channelNumber: 2, reason: 'timeout' }]);
  });

  it('ignores acks of unknown channels and honours RequestChannelClose only for channels we transmit on', () => {
    const h = harness();
    h.session.receive(remoteTcs(['g711Ulaw64k']));
    h.session.receive(olcAck(77));
    expect(h.sentKinds()).toEqual(['response.terminalCapabilitySetAck']);
    h.session.openAudioChannel({ rtcp: RTCP });
    h.session.receive(olcAck(1));
    h.session.receive(req({ tag: 'requestChannelClose', value: { forwardLogicalChannelNumber: 5 } }));
    h.session.receive(req({ tag: 'requestChannelClose', value: { forwardLogicalChannelNumber: 1 } }));
    expect(h.sentKinds().slice(2)).toEqual(['response.requestChannelCloseReject', 'response.requestChannelCloseAck', 'request.closeLogicalChannel']);
  });

  it('closes our channels after an empty capability set (H.323 §8.4.6)', () => {
    const h = harness();
    h.session.receive(remoteTcs(['g711Ulaw64k']));
    h.session.openAudioChannel({ rtcp: RTCP });
    h.session.receive(olcAck(1));
    h.session.receive(req({ tag: 'terminalCapabilitySet', value: { sequenceNumber: 2, protocolIdentifier: '0.0.8.245.0.15' } }));
    expect(h.sentKinds().slice(-2)).toEqual(['response.terminalCapabilitySetAck', 'request.closeLogicalChannel']);
    expect(h.eventsOf('remote-capabilities')[1][0].empty).toBe(true);
  });
});

describe('H245Session incoming logical channels (§5.3)', () => {
  function withOwner(decide: (r: OpenChannelRequest) => void) {
    const h = harness();
    h.session.on('open-channel-request', decide);
    return h;
  }

  it('acks with our RTP and RTCP when the owner accepts', () => {
    const h = withOwner((r) => r.accept({ rtp: RTP, rtcp: RTCP }));
    h.session.receive(remoteOlc(101));
    const ack = (h.sent[0].value as { value: H245Types.OpenLogicalChannelAck }).value;
    expect(h.sentKinds()[0]).toBe('response.openLogicalChannelAck');
    expect(ack.forwardLogicalChannelNumber).toBe(101);
    expect(parseOlcAck(ack)).toEqual({ rtp: RTP, rtcp: RTCP, sessionId: 1 });
    expect(h.eventsOf('channel-established')).toEqual([[{ direction: 'receive', channelNumber: 101, codec: 'g711Ulaw64k', framesPerPacket: 20, sessionId: 1, remoteRtcp: REMOTE_RTCP }]]);
    h.session.receive(req({ tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: 101, source: { tag: 'user', value: null } } }));
    expect(h.sent[1]).toEqual(res({ tag: 'closeLogicalChannelAck', value: { forwardLogicalChannelNumber: 101 } }));
    expect(h.eventsOf('channel-closed')).toEqual([[{ direction: 'receive', kind: 'audio', channelNumber: 101, reason: 'remote-closed' }]]);
  });

  it('rejects with the owner’s cause, and without asking for codecs or media we do not take', () => {
    const h = withOwner((r) => r.reject('insufficientBandwidth'));
    h.session.receive(remoteOlc(101));
    const g = harness({ capabilities: { audio: ['g711Ulaw64k'] } });
    g.session.on('open-channel-request', () => {
      throw new Error('must not be asked');
    });
    g.session.receive(remoteOlc(102, 'g722-64k'));
    g.session.receive(req({ tag: 'openLogicalChannel', value: { forwardLogicalChannelNumber: 103, forwardLogicalChannelParameters: { dataType: { tag: 'nullData', value: null }, multiplexParameters: { tag: 'none', value: null } } } }));
    const causes = [...h.sent, ...g.sent].map((m) => (m.value as { value: H245Types.OpenLogicalChannelReject }).value.cause.tag);
    expect(causes).toEqual(['insufficientBandwidth', 'dataTypeNotSupported', 'dataTypeNotSupported']);
  });

  it('rejects when nobody owns the request; a late answer after the remote closed does nothing', () => {
    const h = harness({}, ['channel-closed']);
    h.session.receive(remoteOlc(101));
    expect((h.sent[0].value as { value: H245Types.OpenLogicalChannelReject }).value.cause.tag).toBe('unspecified');
    let pending: OpenChannelRequest | undefined;
    const g = withOwner((r) => (pending = r));
    g.session.receive(remoteOlc(7));
    g.session.receive(req({ tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: 7, source: { tag: 'lcse', value: null } } }));
    expect(pending?.accept({ rtp: RTP, rtcp: RTCP })).toBe(false);
    expect(g.sentKinds()).toEqual(['response.closeLogicalChannelAck']);
    expect(g.eventsOf('channel-closed')).toEqual([]);
  });

  it('acknowledges CloseLogicalChannel of an unknown channel, and asks the remote to close one with T108', () => {
    const h = withOwner((r) => r.accept({ rtp: RTP, rtcp: RTCP }));
    h.session.receive(req({ tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: 9, source: { tag: 'user', value: null } } }));
    expect(h.sentKinds()).toEqual(['response.closeLogicalChannelAck']);
    expect(h.session.requestChannelClose(3)).toBe(false);
    h.session.receive(remoteOlc(3));
    expect(h.session.requestChannelClose(3)).toBe(true);
    expect(h.sent.at(-1)).toEqual(req({ tag: 'requestChannelClose', value: { forwardLogicalChannelNumber: 3, reason: { tag: 'normal', value: null } } }));
    h.clock.advance(30_000);
    expect(h.sent.at(-1)).toEqual(ind({ tag: 'requestChannelCloseRelease', value: { forwardLogicalChannelNumber: 3 } }));
    expect(h.eventsOf('protocol-error')).toEqual([[{ procedure: 'request-channel-close', code: 'T108', reason: 'RequestChannelClose of channel 3: timeout' }]]);
  });
});

describe('H245Session round trip delay (§5.7), user input, commands', () => {
  it('measures the round trip delay, ignores a stale response and reports T105', () => {
    const h = harness();
    h.session.measureRoundTripDelay();
    h.clock.advance(150);
    h.session.receive(res({ tag: 'roundTripDelayResponse', value: { sequenceNumber: 99 } }));
    h.session.receive(res({ tag: 'roundTripDelayResponse', value: { sequenceNumber: 1 } }));
    expect(h.eventsOf('round-trip')).toEqual([[{ ms: 150 }]]);
    h.session.measureRoundTripDelay();
    h.clock.advance(10_000);
    expect(h.eventsOf('protocol-error')).toEqual([[{ procedure: 'round-trip-delay', code: 'T105', reason: 'no RoundTripDelayResponse' }]]);
    h.session.receive(req({ tag: 'roundTripDelayRequest', value: { sequenceNumber: 42 } }));
    expect(h.sent.at(-1)).toEqual(res({ tag: 'roundTripDelayResponse', value: { sequenceNumber: 42 } }));
  });

  it('turns UserInputIndication into DTMF events', () => {
    const h = harness();
    h.session.receive(ind({ tag: 'userInput', value: { tag: 'alphanumeric', value: '12#' } }));
    h.session.receive(ind({ tag: 'userInput', value: { tag: 'signal', value: { signalType: '5', duration: 200 } } }));
    h.session.receive(ind({ tag: 'userInput', value: { tag: 'signal', value: { signalType: '!' } } }));
    h.session.receive(ind({ tag: 'userInput', value: { tag: 'alphanumeric', value: 'hello' } }));
    h.session.receive(ind({ tag: 'userInput', value: { tag: 'signalUpdate', value: { duration: 400 } } }));
    expect(h.eventsOf('user-input').map((e) => e[0])).toEqual([
      { kind: 'dtmf', digit: '1', via: 'alphanumeric' },
      { kind: 'dtmf', digit: '2', via: 'alphanumeric' },
      { kind: 'dtmf', digit: '#', via: 'alphanumeric' },
      { kind: 'dtmf', digit: '5', via: 'signal', durationMs: 200 },
      { kind: 'hookflash', via: 'signal' },
      { kind: 'text', text: 'hello', via: 'alphanumeric' },
    ]);
    expect(h.sent).toEqual([]);
  });

  it('sends user input as alphanumeric or signal', () => {
    const h = harness();
    h.session.sendUserInput('7');
    h.session.sendUserInput('#', 'signal', 120);
    expect(h.sent).toEqual([
      ind({ tag: 'userInput', value: { tag: 'alphanumeric', value: '7' } }),
      ind({ tag: 'userInput', value: { tag: 'signal', value: { signalType: '#', duration: 120 } } }),
    ]);
    expect(() => h.session.sendUserInput('x' as '1')).toThrow(RangeError);
  });

  it('sends signal by default to a remote that takes dtmf but not basicString', () => {
    const h = harness();
    h.session.receive(req({ tag: 'terminalCapabilitySet', value: { sequenceNumber: 1, protocolIdentifier: '0.0.8.245.0.15', capabilityTable: [{ capabilityTableEntryNumber: 1, capability: { tag: 'receiveUserInputCapability', value: { tag: 'dtmf', value: null } } }] } }));
    h.session.sendUserInput('9');
    expect(h.sent.at(-1)).toEqual(ind({ tag: 'userInput', value: { tag: 'signal', value: { signalType: '9' } } }));
  });

  it('reports videoFastUpdatePicture with its channel', () => {
    const h = harness();
    h.session.receive(cmd({ tag: 'miscellaneousCommand', value: { logicalChannelNumber: 102, type: { tag: 'videoFastUpdatePicture', value: null } } }));
    h.session.receive(cmd({ tag: 'miscellaneousCommand', value: { logicalChannelNumber: 102, type: { tag: 'videoFreezePicture', value: null } } }));
    expect(h.eventsOf('video-fast-update')).toEqual([[{ channel: 102 }]]);
  });

  it('EndSessionCommand: answered once, reported, timers stopped, later input ignored', () => {
    const h = harness();
    h.session.start();
    h.session.receive(cmd({ tag: 'endSessionCommand', value: { tag: 'disconnect', value: null } }));
    expect(h.sentKinds().slice(2)).toEqual(['command.endSessionCommand']);
    expect(h.eventsOf('end-session')).toHaveLength(1);
    expect(h.clock.timerCount).toBe(0);
    h.session.receive(remoteTcs(['g711Ulaw64k']));
    h.session.close();
    expect(h.sent).toHaveLength(3);
  });

  it('close() sends EndSessionCommand disconnect once', () => {
    const h = harness();
    h.session.start();
    h.session.close();
    h.session.close();
    expect(h.sentKinds()).toEqual(['request.terminalCapabilitySet', 'request.masterSlaveDetermination', 'command.endSessionCommand']);
    expect(h.clock.timerCount).toBe(0);
    expect(h.session.isClosed).toBe(true);
  });
});

describe('H245Session unexpected and unsupported messages', () => {
  it('discards stale responses without answering', () => {
    const h = harness();
    h.session.receive(res({ tag: 'terminalCapabilitySetAck', value: { sequenceNumber: 3 } }));
    h.session.receive(res({ tag: 'masterSlaveDeterminationAck', value: { decision: { tag: 'slave', value: null } } }));
    h.session.receive(res({ tag: 'closeLogicalChannelAck', value: { forwardLogicalChannelNumber: 4 } }));
    h.session.receive(res({ tag: 'requestChannelCloseAck', value: { forwardLogicalChannelNumber: 4 } }));
    h.session.receive(res({ tag: 'requestModeAck', value: { sequenceNumber: 1, response: { tag: 'willTransmitMostPreferredMode', value: null } } }));
    expect(h.sent).toEqual([]);
  });

  it('rejects RequestMode and MaintenanceLoopRequest with their own rejects', () => {
    const h = harness();
    h.session.receive(req({ tag: 'requestMode', value: { sequenceNumber: 5, requestedModes: [] } }));
    h.session.receive(req({ tag: 'maintenanceLoopRequest', value: { type: { tag: 'systemLoop', value: null } } }));
    expect(h.sent).toEqual([
      res({ tag: 'requestModeReject', value: { sequenceNumber: 5, cause: { tag: 'modeUnavailable', value: null } } }),
      res({ tag: 'maintenanceLoopReject', value: { type: { tag: 'systemLoop', value: null }, cause: { tag: 'canNotPerformLoop', value: null } } }),
    ]);
  });

  it('answers other requests and commands with FunctionNotSupported returning the message', () => {
    const h = harness();
    const conference = req({ tag: 'conferenceRequest', value: { tag: 'terminalListRequest', value: null } });
    h.session.receive(conference);
    h.session.receive(cmd({ tag: 'conferenceCommand', value: { tag: 'broadcastMyLogicalChannel', value: 1 } }));
    h.session.receive(cmd({ tag: 'flowControlCommand', value: { scope: { tag: 'wholeMultiplex', value: null }, restriction: { tag: 'noRestriction', value: null } } }));
    expect(h.sentKinds()).toEqual(['indication.functionNotSupported', 'indication.functionNotSupported']);
    const fns = (h.sent[0].value as { value: H245Types.FunctionNotSupported }).value;
    expect(fns.cause.tag).toBe('unknownFunction');
    expect(decode(H245.MultimediaSystemControlMessage, fns.returnedFunction ?? Buffer.alloc(0))).toEqual(conference);
  });

  it('returns alternatives of a newer H.245 in FunctionNotUnderstood', () => {
    const h = harness();
    const unknown = req({ tag: '$unknown', index: 40, value: Buffer.from([0x00]) });
    h.session.receive(unknown);
    expect(h.sent).toEqual([ind({ tag: 'functionNotUnderstood', value: unknown } as H245Types.IndicationMessage)]);
  });

  it('answers an undecodable PDU with FunctionNotSupported syntaxError and never throws', () => {
    const h = harness();
    h.session.receiveEncoded(Buffer.from([0xff, 0xff, 0xff]));
    expect(h.sentKinds()).toEqual(['indication.functionNotSupported']);
    expect((h.sent[0].value as { value: H245Types.FunctionNotSupported }).value).toEqual({ cause: { tag: 'syntaxError', value: null } });
    expect(h.eventsOf('protocol-error')[0][0]).toMatchObject({ procedure: 'message', code: 'syntaxError' });
  });

  it('processes several PDUs in one buffer and ignores trailing zero padding', () => {
    const h = harness();
    const a = encode(H245.MultimediaSystemControlMessage, req({ tag: 'roundTripDelayRequest', value: { sequenceNumber: 1 } }));
    const b = encode(H245.MultimediaSystemControlMessage, req({ tag: 'roundTripDelayRequest', value: { sequenceNumber: 2 } }));
    h.session.receiveEncoded(Buffer.concat([a, b, Buffer.alloc(3)]));
    expect(h.sent).toEqual([1, 2].map((sequenceNumber) => res({ tag: 'roundTripDelayResponse', value: { sequenceNumber } })));
    h.session.receiveEncoded(Buffer.concat([a, Buffer.from([0xff, 0xff])]));
    expect(h.sentKinds().slice(2)).toEqual(['response.roundTripDelayResponse', 'indication.functionNotSupported']);
  });

  it('survives a throwing send and throwing listeners', () => {
    const h = harness({ send: () => { throw new Error('socket gone'); } });
    h.session.on('user-input', () => { throw new Error('listener bug'); });
    expect(() => h.session.start()).not.toThrow();
    expect(() => h.session.receive(ind({ tag: 'userInput', value: { tag: 'alphanumeric', value: '1' } }))).not.toThrow();
    expect(h.eventsOf('user-input')).toHaveLength(1);
  });

  it('validates its options', () => {
    expect(() => harness({ terminalType: 256 })).toThrow(RangeError);
    expect(() => harness({ capabilities: { ...TEST_CAPABILITIES, audio: [] } })).toThrow(RangeError);
    expect(() => harness({ timers: { T103: 0 } })).toThrow(RangeError);
    expect(() => harness({ firstChannelNumber: 0 })).toThrow(RangeError);
  });
});

describe('H245Session phase B and Fast Connect channels', () => {
  it("emits 'ready' once: remote set accepted, ours acknowledged, master-slave determined", () => {
    const h = harness();
    h.session.start();
    h.session.receive(remoteTcs(['g711Ulaw64k']));
    h.session.receive(res({ tag: 'terminalCapabilitySetAck', value: { sequenceNumber: 1 } }));
    expect(h.eventsOf('ready')).toEqual([]);
    h.session.receive(res({ tag: 'masterSlaveDeterminationAck', value: { decision: { tag: 'slave', value: null } } }));
    expect(h.eventsOf('ready')).toHaveLength(1);
    expect(h.eventsOf('ready')[0][0]).toMatchObject({ isMaster: false });
    h.session.receive(remoteTcs(['g711Alaw64k'], 2));
    expect(h.eventsOf('ready')).toHaveLength(1);
  });

  it('adopts Fast Connect channels: their numbers are skipped, CLC and RequestChannelClose apply to them', () => {
    const h = harness();
    const transmit = buildAudioOlc({ channelNumber: 1, codec: 'g711Ulaw64k', framesPerPacket: 20, rtcp: RTCP });
    const receive = buildAudioOlc({ channelNumber: 101, codec: 'g711Ulaw64k', framesPerPacket: 20, rtcp: REMOTE_RTCP });
    h.session.adoptFastStartChannel({ direction: 'transmit', olc: transmit });
    h.session.adoptFastStartChannel({ direction: 'receive', olc: receive });
    h.session.receive(remoteTcs(['g711Ulaw64k']));
    expect(h.session.openAudioChannel({ rtcp: RTCP })).toBe(2);
    h.session.receive(req({ tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: 101, source: { tag: 'user', value: null } } }));
    expect(h.eventsOf('channel-closed')).toEqual([[{ direction: 'receive', kind: 'audio', channelNumber: 101, reason: 'remote-closed' }]]);
    h.session.receive(req({ tag: 'requestChannelClose', value: { forwardLogicalChannelNumber: 1 } }));
    expect(h.sentKinds().slice(-3)).toEqual(['response.closeLogicalChannelAck', 'response.requestChannelCloseAck', 'request.closeLogicalChannel']);
  });

  it('bounds the channels a remote keeps open, and forgets rejected ones', () => {
    const h = harness();
    h.session.on('open-channel-request', (r) => r.accept({ rtp: RTP, rtcp: RTCP }));
    for (let n = 1; n <= 70; n += 1) h.session.receive(remoteOlc(n));
    const kinds = h.sentKinds();
    expect(kinds.filter((k) => k === 'response.openLogicalChannelAck')).toHaveLength(64);
    expect(kinds.filter((k) => k === 'response.openLogicalChannelReject')).toHaveLength(6);
    const g = harness({ capabilities: { audio: ['g711Alaw64k'] } }, []);
    for (let n = 1; n <= 100; n += 1) g.session.receive(remoteOlc(n));
    g.session.on('open-channel-request', (r) => r.accept({ rtp: RTP, rtcp: RTCP }));
    g.session.receive(req({ tag: 'openLogicalChannel', value: buildAudioOlc({ channelNumber: 500, codec: 'g711Alaw64k', framesPerPacket: 20, rtcp: REMOTE_RTCP }) }));
    expect(g.sentKinds().at(-1)).toBe('response.openLogicalChannelAck');
  });
});
