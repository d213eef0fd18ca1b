import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { H245Session, kindOf } from './h245-session';
import { capturedH245 } from './testing/capture-h245';
import { FakeClock } from './testing/fake-clock';

/**
 * The H.245 PDUs of the H323Plus reference captures, fed to a session that plays one of the two endpoints. The
 * frames each side sent come from the captures' TCP ports (tshark): in h323-separate-h245 the callee's H.245
 * channel is port 31000, in the tunnelled captures the callee is port 1720.
 */
type Msg = H245Types.MultimediaSystemControlMessage;
const CALLER_RTCP = { address: '127.0.0.1', port: 42001 };
const CALLER_RTP = { address: '127.0.0.1', port: 42000 };
const CALLEE_RTCP = { address: '127.0.0.1', port: 41001 };
const CALLEE_RTP = { address: '127.0.0.1', port: 41000 };

function framesOf(capture: string, frames: number[]): Buffer[] {
  const all = capturedH245('message').filter((c) => c.capture === capture);
  return frames.flatMap((f) => all.filter((c) => c.frame === f).map((c) => c.bytes));
}

function msdNumber(bytes: Buffer[]): number {
  for (const b of bytes) {
    const m = decode(H245.MultimediaSystemControlMessage, b);
    if (m.tag === 'request' && m.value.tag === 'masterSlaveDetermination') return m.value.value.statusDeterminationNumber;
  }
  throw new Error('no MasterSlaveDetermination');
}

/** A session like H323Plus's side of the call: terminal (50), G.711 µ-law/A-law, channels numbered from 101. */
function endpoint(random: number, local: { rtp: typeof CALLER_RTP; rtcp: typeof CALLER_RTCP }) {
  const sent: Buffer[] = [];
  const errors: unknown[] = [];
  const established: unknown[] = [];
  const session = new H245Session({
    send: (m) => sent.push(encode(H245.MultimediaSystemControlMessage, m)),
    capabilities: { audio: ['g711Ulaw64k', 'g711Alaw64k'] },
    terminalType: 50,
    random: () => random,
    clock: new FakeClock(),
    firstChannelNumber: 101,
  });
  session.on('ready', () => session.openAudioChannel({ rtcp: local.rtcp }));
  session.on('open-channel-request', (r) => r.accept(local));
  session.on('channel-established', (e) => established.push(e));
  session.on('protocol-error', (e) => errors.push(e));
  return { session, sent, errors, established };
}

const kinds = (bytes: Buffer[]) => bytes.map((b) => kindOf(decode(H245.MultimediaSystemControlMessage, b)));

describe.each([
  ['h323-separate-h245.pcapng', { callee: [15, 17, 23, 24, 28, 31, 439], caller: [19, 21, 25, 26, 29, 30, 437] }],
  ['h323-slowstart-tunneled.pcapng', { callee: [10, 15, 16, 18, 20, 434], caller: [12, 13, 14, 19, 21, 432] }],
])('%s replayed against a session', (capture, sides) => {
  it.each(['caller', 'callee'] as const)('as the %s: answers like H323Plus did, byte for byte except the TCS', (role) => {
    const mine = framesOf(capture, sides[role]);
    const theirs = framesOf(capture, sides[role === 'caller' ? 'callee' : 'caller']);
    const local = role === 'caller' ? { rtp: CALLER_RTP, rtcp: CALLER_RTCP } : { rtp: CALLEE_RTP, rtcp: CALLEE_RTCP };
    const remote = role === 'caller' ? { rtp: CALLEE_RTP, rtcp: CALLEE_RTCP } : { rtp: CALLER_RTP, rtcp: CALLER_RTCP };
    const ep = endpoint(msdNumber(mine), local);
    ep.session.start();
    for (const bytes of theirs) ep.session.receiveEncoded(bytes);
    expect(kinds(ep.sent)).toEqual(kinds(mine));
    ep.sent.forEach((bytes, i) => {
      if (kinds([bytes])[0] === 'request.terminalCapabilitySet') return;
      expect(bytes.toString('hex')).toBe(mine[i].toString('hex'));
    });
    expect(ep.errors).toEqual([]);
    expect(ep.established).toEqual([
      { direction: 'receive', channelNumber: 101, codec: 'g711Ulaw64k', framesPerPacket: 20, sessionId: 1, remoteRtcp: remote.rtcp },
      { direction: 'transmit', channelNumber: 101, codec: 'g711Ulaw64k', framesPerPacket: 20, sessionId: 1, remoteRtp: remote.rtp, remoteRtcp: remote.rtcp },
    ]);
    const theirAck = theirs.map((b) => decode(H245.MultimediaSystemControlMessage, b)).find((m) => m.tag === 'response' && m.value.tag === 'masterSlaveDeterminationAck');
    const decided = ((theirAck?.value as { value: H245Types.MasterSlaveDeterminationAck }).value.decision.tag);
    expect(ep.session.isMaster).toBe(decided === 'master');
    expect(ep.session.isClosed).toBe(true);
  });
});

describe('h323-faststart-tunneled.pcapng replayed against a session', () => {
  const capture = 'h323-faststart-tunneled.pcapng';
  it('as the callee without its own MSD: TCSAck and MSDAck byte for byte, RTD answered, EndSession', () => {
    const callerFrames = framesOf(capture, [4, 14, 16, 424]);
    const calleeConnect = framesOf(capture, [10]);
    const ep = endpoint((msdNumber(callerFrames) + 1) % 0x1000000, { rtp: CALLEE_RTP, rtcp: CALLEE_RTCP });
    for (const bytes of callerFrames) ep.session.receiveEncoded(bytes);
    expect(kinds(ep.sent)).toEqual(['response.terminalCapabilitySetAck', 'response.masterSlaveDeterminationAck', 'command.endSessionCommand']);
    expect(ep.sent[0].toString('hex')).toBe(calleeConnect[1].toString('hex'));
    expect(ep.sent[1].toString('hex')).toBe(calleeConnect[2].toString('hex'));
    expect(ep.session.isMaster).toBe(false);
    expect(ep.errors).toEqual([]);
    const rtd = endpoint(1, { rtp: CALLEE_RTP, rtcp: CALLEE_RTCP });
    rtd.session.receiveEncoded(framesOf(capture, [15])[0]);
    expect(rtd.sent.map((b) => b.toString('hex'))).toEqual(framesOf(capture, [16]).map((b) => b.toString('hex')));
  });
});

describe('h323-video-h261-tunneled.pcapng against a session', () => {
  const capture = 'h323-video-h261-tunneled.pcapng';
  it('reads the 1 kB capability set, rejects the H.261 channel, reports videoFastUpdatePicture', () => {
    const all = capturedH245('message').filter((c) => c.capture === capture);
    const ep = endpoint(1, { rtp: CALLEE_RTP, rtcp: CALLEE_RTCP });
    const caps: unknown[] = [];
    const updates: unknown[] = [];
    ep.session.on('remote-capabilities', (c) => caps.push(c.receiveAudio.map((a) => a.codec)));
    ep.session.on('video-fast-update', (u) => updates.push(u));
    const tcs = all.find((c) => kinds([c.bytes])[0] === 'request.terminalCapabilitySet');
    const olcs = all.filter((c) => c.frame === 19);
    const vfu = all.find((c) => kinds([c.bytes])[0] === 'command.miscellaneousCommand');
    for (const b of [tcs, ...olcs, vfu]) if (b) ep.session.receiveEncoded(b.bytes);
    expect(caps).toEqual([['g711Ulaw64k', 'g711Alaw64k', 'g722-64k']]);
    const answers = ep.sent.map((b) => decode(H245.MultimediaSystemControlMessage, b)).filter((m: Msg) => m.tag === 'response');
    expect(answers.map((m) => `${kindOf(m)}:${(m.value.value as { forwardLogicalChannelNumber?: number }).forwardLogicalChannelNumber ?? ''}`)).toEqual([
      'response.terminalCapabilitySetAck:',
      'response.openLogicalChannelAck:101',
      'response.openLogicalChannelReject:102',
    ]);
    expect(updates).toEqual([{ channel: 102 }]);
  });
});

describe('every captured H.245 PDU', () => {
  it.each(capturedH245('message').map((c) => [`${c.capture} frame ${c.frame} ${c.carrier}`, c.bytes] as const))('%s is handled without error', (_name, bytes) => {
    const ep = endpoint(1, { rtp: CALLEE_RTP, rtcp: CALLEE_RTCP });
    expect(() => ep.session.receiveEncoded(bytes)).not.toThrow();
    expect(ep.errors).toEqual([]);
    for (const b of ep.sent) expect(kinds([b])[0]).not.toMatch(/functionNot/);
  });
});
