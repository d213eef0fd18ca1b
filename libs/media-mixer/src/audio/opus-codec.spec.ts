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
