import type { JitterBufferPacket } from '../rtp/jitter-buffer';
import { AudioReceivePath } from './audio-receive-path';
import { type OpusBinding, OpusCodec } from './opus-codec';

const RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz
const UNITS = 960; // 20 ms at the 48 kHz RTP clock (RFC 7587 §4.1)
/** TOC of a SILK-only wideband 20 ms single-frame packet (RFC 6716 Table 2, config 9, code 0). */
const TOC_SILK_WB_20 = 9 << 3;

/**
 * A binding whose packets are `TOC, header, seq`: decoding fills the frame with `seq`, decoding FEC
 * with `1000 + seq` of the packet it came from. Header 0x20 sets the LBRR flag (RFC 6716 §4.2.3).
 */
function fakeBinding(withFec: boolean): OpusBinding & { fecCalls: number[] } {
  const fill = (value: number, samples: number) => Buffer.from(new Int16Array(samples).fill(value).buffer);
  const binding = {
    fecCalls: [] as number[],
    encode: () => new Uint8Array(0),
    decode: (packet: Buffer) => fill(packet[2], FRAME),
    decodeFec: (next: Buffer, samples: number) => {
      binding.fecCalls.push(next[2]);
      return fill(1000 + next[2], samples);
    },
  };
  if (!withFec) return { fecCalls: binding.fecCalls, encode: binding.encode, decode: binding.decode };
  return binding;
}

function run(codec: OpusCodec, lbrrFlag: boolean) {
  let now = 1000;
  const path = new AudioReceivePath({ codec, mixerRate: RATE, frameMs: 20, clock: () => now });
  const packet = (seq: number): JitterBufferPacket => ({
    ssrc: 7,
    sequenceNumber: seq,
    timestamp: seq * UNITS,
    marker: false,
    payloadType: 111,
    payload: Buffer.from([TOC_SILK_WB_20, lbrrFlag ? 0x20 : 0x00, seq]),
  });
  const heard: number[] = [];
  for (let seq = 1; seq <= 12; seq++) {
    if (seq !== 5) path.push(packet(seq));
    now += 20;
    const pcm = path.pullFrame();
    if (pcm) heard.push(pcm[FRAME - 1]);
  }
  return { path, heard };
}

describe('AudioReceivePath, Opus in-band FEC (RFC 6716 §2.1.7)', () => {
  it('rebuilds a lost packet from its buffered successor and counts it as fecRecovered', () => {
    const binding = fakeBinding(true);
    const { path, heard } = run(new OpusCodec(binding, RATE), true);
    expect(binding.fecCalls).toEqual([6]);
    expect(path.counters.fecRecovered).toBe(1);
    expect(path.jitterStats().concealed).toBe(1);
    expect(heard).toContain(1006);
    const at = heard.indexOf(1006);
    expect(heard.slice(at - 1, at + 2)).toEqual([4, 1006, 6]); // successor still decoded in turn
  });

  it('conceals when the successor carries no LBRR data', () => {
    const binding = fakeBinding(true);
    const { path, heard } = run(new OpusCodec(binding, RATE), false);
    expect(binding.fecCalls).toEqual([]);
    expect(path.counters.fecRecovered).toBe(0);
    expect(path.jitterStats().concealed).toBe(1);
    expect(heard.some((v) => v >= 1000)).toBe(false);
  });

  it('conceals when the binding cannot decode FEC', () => {
    const { path } = run(new OpusCodec(fakeBinding(false), RATE), true);
    expect(path.counters.fecRecovered).toBe(0);
    expect(path.jitterStats().concealed).toBe(1);
  });

  it('closes the binding when the path is closed', () => {
    const close = jest.fn();
    const path = new AudioReceivePath({ codec: new OpusCodec({ ...fakeBinding(true), close }, RATE), mixerRate: RATE, frameMs: 20, clock: () => 0 });
    path.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
