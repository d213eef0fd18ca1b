import { CodecError, InvalidArgumentError } from '../errors';
import { OpusBinding, OpusCodec } from './opus-codec';

/** A stand-in for libopus: a CELT 20 ms TOC byte followed by the PCM itself. */
class LoopbackBinding implements OpusBinding {
  encode(pcm: Buffer): Uint8Array {
    return Buffer.concat([Buffer.from([(31 << 3) | 0]), pcm]);
  }
  decode(packet: Buffer): Uint8Array {
    if (packet.length < 2) throw new Error('invalid packet');
    return packet.subarray(1);
  }
}

describe('OpusCodec', () => {
  it('runs its RTP clock at 48 kHz and its PCM at the binding rate (RFC 7587 §4.1)', () => {
    const codec = new OpusCodec(new LoopbackBinding());
    expect(codec).toMatchObject({ name: 'opus', clockRate: 48000, sampleRate: 16000, channels: 1 });
  });

  it('passes 16-bit PCM to the binding and back', () => {
    const codec = new OpusCodec(new LoopbackBinding());
    const pcm = Int16Array.from({ length: 320 }, (_, i) => i * 100 - 16000);
    const packet = codec.encode(pcm);
    expect(packet[0]).toBe(31 << 3);
    expect(codec.decode(packet)).toEqual(pcm);
    expect(codec.conceal(320)).toHaveLength(320);
  });

  it('rejects malformed packets as CodecError without calling libopus on a bad TOC', () => {
    const codec = new OpusCodec(new LoopbackBinding());
    expect(() => codec.decode(Buffer.alloc(0))).toThrow(CodecError);
    expect(() => codec.decode(Buffer.from([(31 << 3) | 3]))).toThrow(/frame count/);
    expect(() => codec.decode(Buffer.from([31 << 3]))).toThrow(/invalid packet/);
  });

  it('tells packet durations for the jitter buffer', () => {
    expect(OpusCodec.durationOf(Uint8Array.of((1 << 3) | 0))).toBe(960);
    expect(OpusCodec.durationOf(Uint8Array.of())).toBeUndefined();
  });

  it('refuses rates libopus does not support', () => {
    expect(() => new OpusCodec(new LoopbackBinding(), 44100)).toThrow(InvalidArgumentError);
  });
});

describe('OpusCodec in-band FEC (RFC 6716 §2.1.7, §4.2.3)', () => {
  const SILK_WB_20 = 9 << 3; // config 9: SILK-only WB 20 ms, one SILK frame
  const SILK_WB_60 = 11 << 3; // config 11: SILK-only WB 60 ms, three SILK frames

  it('reads the LBRR flag after the VAD flags of the first frame, for every frame count code', () => {
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20, 0b0010_0000]))).toBe(true); // bit 1 VAD, bit 2 LBRR
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20, 0b0100_0000]))).toBe(false);
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_60, 0b0000_1000]))).toBe(true); // three VAD flags first
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_60, 0b0010_0000]))).toBe(false);
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20 | 1, 0x20, 0x00]))).toBe(true); // code 1
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20 | 2, 1, 0x20, 0x00]))).toBe(true); // code 2, 1-octet length
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20 | 2, 252, 0, 0x20]))).toBe(true); // code 2, 2-octet length
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20 | 3, 0xc2, 1, 1, 0x20, 0x00, 0]))).toBe(true); // code 3, VBR, 1 octet padding
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20 | 3, 0x80 | 2]))).toBe(false); // lengths run out
  });

  it('finds none in CELT-only, empty or malformed packets', () => {
    expect(OpusCodec.carriesFec(Buffer.from([31 << 3, 0xff]))).toBe(false);
    expect(OpusCodec.carriesFec(Buffer.alloc(0))).toBe(false);
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20]))).toBe(false); // DTX: no frame data
    expect(OpusCodec.carriesFec(Buffer.from([SILK_WB_20 | 3, 0]))).toBe(false); // zero frames
  });

  it('recovers through the binding only when it has decodeFec and the packet carries LBRR', () => {
    const fec = jest.fn((_next: Buffer, samples: number) => new Uint8Array(samples * 2).fill(1));
    const withFec = new OpusCodec(Object.assign(new LoopbackBinding(), { decodeFec: fec }), 16000);
    expect(withFec.recover(Buffer.from([SILK_WB_20, 0x20]), 320)).toEqual(new Int16Array(320).fill(0x0101));
    expect(withFec.recover(Buffer.from([SILK_WB_20, 0x00]), 320)).toBeUndefined();
    expect(fec).toHaveBeenCalledTimes(1);
    const short = new OpusCodec(Object.assign(new LoopbackBinding(), { decodeFec: () => new Uint8Array(10) }), 16000);
    expect(short.recover(Buffer.from([SILK_WB_20, 0x20]), 320)).toBeUndefined();
    const failing = new OpusCodec(Object.assign(new LoopbackBinding(), { decodeFec: () => { throw new Error('bad'); } }), 16000);
    expect(failing.recover(Buffer.from([SILK_WB_20, 0x20]), 320)).toBeUndefined();
    expect(new OpusCodec(new LoopbackBinding(), 16000).recover(Buffer.from([SILK_WB_20, 0x20]), 320)).toBeUndefined();
  });
});
