import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import { buildTerminalCapabilitySet, type LocalCapabilities } from './capabilities';
import { CeseState, IncomingCapabilityExchange, OutgoingCapabilityExchange } from './capability-exchange';
import type { EntityContext } from './control-message';
import { silentH245Logger } from './h245-logger';
import { RemoteCapabilityTable, chooseTransmitCodec } from './remote-capabilities';
import { capturedMessages } from './testing/capture-h245';
import { FakeClock } from './testing/fake-clock';

type Msg = H245Types.MultimediaSystemControlMessage;
const LOCAL: LocalCapabilities = { audio: ['g722-64k', 'g711Ulaw64k', 'g711Alaw64k'], telephoneEventPayloadType: 101 };

function context() {
  const clock = new FakeClock();
  const sent: Msg[] = [];
  const ctx: EntityContext = { send: (m) => sent.push(m), clock, logger: silentH245Logger };
  return { clock, sent, ctx };
}

describe('our TerminalCapabilitySet (H.245 §5.2 and Annex B.2)', () => {
  it('encodes, and lists receive then transmit audio in preference order, user input and telephone events', () => {
    const tcs = buildTerminalCapabilitySet(LOCAL, 1);
    const bytes = encode(H245.MultimediaSystemControlMessage, { tag: 'request', value: { tag: 'terminalCapabilitySet', value: tcs } });
    expect(decode(H245.MultimediaSystemControlMessage, bytes)).toEqual({ tag: 'request', value: { tag: 'terminalCapabilitySet', value: tcs } });
    const table = tcs.capabilityTable ?? [];
    expect(table.map((e) => `${e.capability?.tag}:${(e.capability?.value as { tag?: string }).tag ?? ''}`)).toEqual([
      'receiveAudioCapability:g722-64k',
      'receiveAudioCapability:g711Ulaw64k',
      'receiveAudioCapability:g711Alaw64k',
      'transmitAudioCapability:g722-64k',
      'transmitAudioCapability:g711Ulaw64k',
      'transmitAudioCapability:g711Alaw64k',
      'receiveUserInputCapability:hookflash',
      'receiveUserInputCapability:basicString',
      'receiveUserInputCapability:dtmf',
      'receiveRTPAudioTelephonyEventCapability:',
    ]);
    expect(tcs.capabilityDescriptors).toEqual([{ capabilityDescriptorNumber: 1, simultaneousCapabilities: [[1, 2, 3], [4, 5, 6], [7], [8, 9, 10]] }]);
    expect(tcs.protocolIdentifier).toBe('0.0.8.245.0.15');
  });

  it('refuses an empty or duplicated codec list', () => {
    expect(() => buildTerminalCapabilitySet({ audio: [] }, 1)).toThrow(RangeError);
    expect(() => buildTerminalCapabilitySet({ audio: ['g711Ulaw64k', 'g711Ulaw64k'] }, 1)).toThrow(RangeError);
  });

  it('our set, read back as a remote set, yields our codecs in order', () => {
    const table = new RemoteCapabilityTable();
    const result = table.apply(buildTerminalCapabilitySet(LOCAL, 1));
    expect(result.ok && result.capabilities.receiveAudio.map((c) => c.codec)).toEqual(['g722-64k', 'g711Ulaw64k', 'g711Alaw64k']);
    expect(result.ok && result.capabilities.telephoneEvent).toEqual({ payloadType: 101, events: '0-15' });
  });
});

describe('remote capabilities (H.245 Annex B.2.2)', () => {
  it('reads the H323Plus capture set: µ-law before A-law, user input, RFC 4733 events', () => {
    const tcs = capturedMessages('h323-separate-h245.pcapng').find((m) => m.tag === 'request' && m.value.tag === 'terminalCapabilitySet');
    const value = (tcs?.value as { value: H245Types.TerminalCapabilitySet }).value;
    const result = new RemoteCapabilityTable().apply(value);
    expect(result).toEqual({
      ok: true,
      capabilities: {
        empty: false,
        receiveAudio: [
          { codec: 'g711Ulaw64k', maxFramesPerPacket: 20 },
          { codec: 'g711Alaw64k', maxFramesPerPacket: 20 },
        ],
        transmitAudio: [],
        userInput: { basicString: true, dtmf: true, hookflash: true },
        telephoneEvent: { payloadType: 101, events: '0-16' },
        receiveVideo: [],
        transmitVideo: [],
        h264PacketizationModes: [0],
      },
    });
    if (!result.ok) return;
    expect(chooseTransmitCodec({ audio: ['g711Alaw64k', 'g711Ulaw64k'], framesPerPacket: 30 }, result.capabilities)).toEqual({ codec: 'g711Ulaw64k', framesPerPacket: 20 });
    expect(chooseTransmitCodec({ audio: ['g722-64k'] }, result.capabilities)).toBeUndefined();
  });

  it('merges successive sets, removes entries without capability, and treats a set without table and descriptors as empty', () => {
    const table = new RemoteCapabilityTable();
    const base: H245Types.TerminalCapabilitySet = {
      sequenceNumber: 1,
      protocolIdentifier: '0.0.8.245.0.15',
      capabilityTable: [
        { capabilityTableEntryNumber: 1, capability: { tag: 'receiveAudioCapability', value: { tag: 'g711Alaw64k', value: 30 } } },
        { capabilityTableEntryNumber: 2, capability: { tag: 'receiveAndTransmitAudioCapability', value: { tag: 'g722-64k', value: 20 } } },
      ],
      capabilityDescriptors: [{ capabilityDescriptorNumber: 0, simultaneousCapabilities: [[2, 1]] }],
    };
    const first = table.apply(base);
    expect(first.ok && first.capabilities.receiveAudio.map((c) => c.codec)).toEqual(['g722-64k', 'g711Alaw64k']);
    expect(first.ok && first.capabilities.transmitAudio.map((c) => c.codec)).toEqual(['g722-64k']);
    const second = table.apply({
      sequenceNumber: 2,
      protocolIdentifier: '0.0.8.245.0.15',
      capabilityTable: [{ capabilityTableEntryNumber: 2 }],
      capabilityDescriptors: [{ capabilityDescriptorNumber: 0, simultaneousCapabilities: [[1]] }],
    });
    expect(second.ok && second.capabilities.receiveAudio.map((c) => c.codec)).toEqual(['g711Alaw64k']);
    const empty = table.apply({ sequenceNumber: 3, protocolIdentifier: '0.0.8.245.0.15' });
    expect(empty).toEqual({ ok: true, capabilities: { empty: true, receiveAudio: [], transmitAudio: [], userInput: { basicString: false, dtmf: false, hookflash: false }, receiveVideo: [], transmitVideo: [], h264PacketizationModes: [0] } });
  });

  it('rejects a descriptor naming an undefined entry and keeps the previous state', () => {
    const table = new RemoteCapabilityTable();
    table.apply({ sequenceNumber: 1, protocolIdentifier: '0.0.8.245.0.15', capabilityTable: [{ capabilityTableEntryNumber: 1, capability: { tag: 'receiveAudioCapability', value: { tag: 'g711Ulaw64k', value: 20 } } }] });
    const bad = table.apply({ sequenceNumber: 2, protocolIdentifier: '0.0.8.245.0.15', capabilityDescriptors: [{ capabilityDescriptorNumber: 1, simultaneousCapabilities: [[1, 9]] }] });
    expect(bad).toMatchObject({ ok: false, cause: 'undefinedTableEntryUsed' });
    const again = table.apply({ sequenceNumber: 3, protocolIdentifier: '0.0.8.245.0.15', capabilityDescriptors: [{ capabilityDescriptorNumber: 1, simultaneousCapabilities: [[1]] }] });
    expect(again.ok && again.capabilities.receiveAudio.map((c) => c.codec)).toEqual(['g711Ulaw64k']);
  });
});

describe('outgoing CESE (H.245 §5.2, Annex C.3)', () => {
  function outgoing() {
    const c = context();
    const outcomes: string[] = [];
    const cese = new OutgoingCapabilityExchange(c.ctx, (sq) => buildTerminalCapabilitySet(LOCAL, sq), 30_000, {
      acknowledged: (sq) => outcomes.push(`ack ${sq}`),
      rejected: (reason, cause) => outcomes.push(`rejected ${cause?.tag ?? reason}`),
    });
    return { ...c, cese, outcomes };
  }

  it('numbers sets from 1, accepts only the ack of the outstanding one', () => {
    const { cese, sent, outcomes } = outgoing();
    cese.transfer();
    expect((sent[0].value as { value: H245Types.TerminalCapabilitySet }).value.sequenceNumber).toBe(1);
    cese.receiveAck({ sequenceNumber: 7 });
    expect(cese.state).toBe(CeseState.AwaitingResponse);
    cese.receiveAck({ sequenceNumber: 1 });
    expect(outcomes).toEqual(['ack 1']);
    cese.receiveAck({ sequenceNumber: 1 });
    expect(outcomes).toEqual(['ack 1']);
    cese.transfer();
    expect(cese.sequenceNumber).toBe(2);
  });

  it('reports a reject with its cause', () => {
    const { cese, outcomes } = outgoing();
    cese.transfer();
    cese.receiveReject({ sequenceNumber: 1, cause: { tag: 'descriptorCapacityExceeded', value: null } });
    expect(outcomes).toEqual(['rejected descriptorCapacityExceeded']);
    expect(cese.state).toBe(CeseState.Idle);
  });

  it('T101 expiry sends TerminalCapabilitySetRelease', () => {
    const { cese, sent, outcomes, clock } = outgoing();
    cese.transfer();
    clock.advance(30_000);
    expect(sent[1]).toEqual({ tag: 'indication', value: { tag: 'terminalCapabilitySetRelease', value: {} } });
    expect(outcomes).toEqual(['rejected no response within T101 (30000 ms)']);
    expect(clock.timerCount).toBe(0);
  });
});

describe('incoming CESE', () => {
  it('acks an accepted set and rejects a refused one with its sequence number', () => {
    const { ctx, sent } = context();
    const verdicts = [{ accept: true } as const, { accept: false, cause: 'undefinedTableEntryUsed' } as const];
    const cese = new IncomingCapabilityExchange(ctx, () => verdicts.shift() ?? { accept: true });
    cese.receive({ sequenceNumber: 4, protocolIdentifier: '0.0.8.245.0.15' });
    cese.receive({ sequenceNumber: 5, protocolIdentifier: '0.0.8.245.0.15' });
    expect(sent).toEqual([
      { tag: 'response', value: { tag: 'terminalCapabilitySetAck', value: { sequenceNumber: 4 } } },
      { tag: 'response', value: { tag: 'terminalCapabilitySetReject', value: { sequenceNumber: 5, cause: { tag: 'undefinedTableEntryUsed', value: null } } } },
    ]);
    expect(cese.state).toBe(CeseState.Idle);
  });
});
