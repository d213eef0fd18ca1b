import { InvalidArgumentError } from '../errors';
import { TelephoneEvent } from '../rtp/telephone-event';
import { AudioSendPath, type OutgoingAudioPacket } from './audio-send-path';
import { G722Codec } from './g722';
import { PcmuCodec } from './g711-codec';

const frame = (): Int16Array => new Int16Array(320).fill(1000);

function run(path: AudioSendPath, ticks: Array<Int16Array | undefined>): OutgoingAudioPacket[][] {
  return ticks.map((t) => path.tick(t));
}

describe('AudioSendPath', () => {
  it.each([
    [10, [2, 2, 2, 2, 2, 2]],
    [20, [1, 1, 1, 1, 1, 1]],
    [30, [0, 1, 1, 0, 1, 1]],
    [40, [0, 1, 0, 1, 0, 1]],
  ])('packetizes %i ms: packets per 20 ms tick %j, timestamps by the packet time, sequence by one', (ptimeMs, perTick) => {
    const path = new AudioSendPath({ codec: new PcmuCodec(), payloadType: 0, ptimeMs, mixerRate: 16000, frameMs: 20 });
    const ticks = run(path, Array.from({ length: 6 }, frame));
    expect(ticks.map((t) => t.length)).toEqual(perTick);
    const packets = ticks.flat();
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i].header.sequenceNumber).toBe((packets[i - 1].header.sequenceNumber + 1) & 0xffff);
      expect(packets[i].header.timestamp).toBe((packets[i - 1].header.timestamp + ptimeMs * 8) >>> 0);
      expect(packets[i].payload.length).toBe(ptimeMs * 8);
      expect(packets[i].header.marker).toBe(false);
    }
    expect(packets[0].header.marker).toBe(true);
  });

  it('keeps the timeline across a hold: no packets, the timestamp advances by the ticks, the sequence does not skip', () => {
    const path = new AudioSendPath({ codec: new PcmuCodec(), payloadType: 0, ptimeMs: 20, mixerRate: 16000, frameMs: 20 });
    const before = run(path, [frame(), frame()]).flat();
    expect(run(path, [undefined, undefined, undefined]).flat()).toEqual([]);
    const after = run(path, [frame()]).flat();
    const last = before[1].header;
    expect(after[0].header.sequenceNumber).toBe((last.sequenceNumber + 1) & 0xffff);
    expect(after[0].header.timestamp).toBe((last.timestamp + 4 * 160) >>> 0);
    expect(after[0].header.marker).toBe(true);
  });

  it('continues the numbering of a predecessor (codec change) and uses the 8 kHz RTP clock for G.722', () => {
    const first = new AudioSendPath({ codec: new PcmuCodec(), payloadType: 0, ptimeMs: 20, mixerRate: 16000, frameMs: 20 });
    const last = run(first, [frame()]).flat()[0].header;
    const next = new AudioSendPath({ codec: new G722Codec(), payloadType: 9, ptimeMs: 20, mixerRate: 16000, frameMs: 20, continueFrom: first.position() });
    const packets = run(next, [frame(), frame()]).flat();
    expect(packets[0].header.sequenceNumber).toBe((last.sequenceNumber + 1) & 0xffff);
    expect(packets[0].header.timestamp).toBe((last.timestamp + 160) >>> 0);
    expect(packets[1].header.timestamp).toBe((last.timestamp + 320) >>> 0);
    expect(packets[0].payload.length).toBe(160); // 320 samples at 16 kHz, 4 bits each
    expect(packets[0].header.payloadType).toBe(9);
  });

  it('sends telephone events in place of audio with the stream numbering', () => {
    const path = new AudioSendPath({ codec: new PcmuCodec(), payloadType: 0, ptimeMs: 20, mixerRate: 16000, frameMs: 20, telephoneEventPt: 101 });
    run(path, [frame()]);
    path.sendDtmf('7', 60);
    const packets = run(path, Array.from({ length: 8 }, frame)).flat();
    const types = packets.map((p) => p.header.payloadType);
    expect(types).toEqual([101, 101, 101, 101, 101, 0, 0, 0]);
    const eventTs = packets[0].header.timestamp;
    expect(packets.slice(0, 5).every((p) => p.header.timestamp === eventTs)).toBe(true);
    expect(TelephoneEvent.parse(packets[4].payload)[0]).toEqual(expect.objectContaining({ event: 7, end: true, duration: 480 }));
    expect(packets[5].header.timestamp).toBe((eventTs + 5 * 160) >>> 0);
    for (let i = 1; i < packets.length; i++) expect(packets[i].header.sequenceNumber).toBe((packets[i - 1].header.sequenceNumber + 1) & 0xffff);
    expect(path.counters.dtmfSent).toBe(1);
  });

  it('refuses DTMF when telephone-event was not negotiated', () => {
    const path = new AudioSendPath({ codec: new PcmuCodec(), payloadType: 0, ptimeMs: 20, mixerRate: 16000, frameMs: 20 });
    expect(() => path.sendDtmf('1', 100)).toThrow(InvalidArgumentError);
  });
});
