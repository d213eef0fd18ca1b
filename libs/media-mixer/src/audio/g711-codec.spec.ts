import { PcmaCodec, PcmuCodec } from './g711-codec';
import { toneAmplitude } from './tone-level';

describe('PcmuCodec / PcmaCodec', () => {
  it.each([
    [new PcmuCodec(), 'PCMU', 0xff],
    [new PcmaCodec(), 'PCMA', 0xd5],
  ])('%#: %s describes itself per RFC 3551 and encodes one octet per sample', (codec, name, silence) => {
    expect(codec).toMatchObject({ name, clockRate: 8000, sampleRate: 8000, channels: 1 });
    const payload = codec.encode(new Int16Array(160));
    expect(payload).toHaveLength(160);
    expect(payload.every((b) => b === silence)).toBe(true);
    expect(codec.decode(payload).every((v) => Math.abs(v) <= 8)).toBe(true); // A-law has no zero code
  });

  it.each([[new PcmuCodec()], [new PcmaCodec()]])('%#: carries a tone and conceals a lost frame', (codec) => {
    const x = Int16Array.from({ length: 1600 }, (_, i) => Math.round(9000 * Math.sin((2 * Math.PI * 400 * i) / 8000)));
    for (let k = 0; k < 10; k++) {
      const y = codec.decode(codec.encode(x.subarray(k * 160, (k + 1) * 160)));
      expect(toneAmplitude(y, 8000, 400)).toBeGreaterThan(8500);
    }
    expect(toneAmplitude(codec.conceal(80), 8000, 400)).toBeGreaterThan(7000);
  });
});
