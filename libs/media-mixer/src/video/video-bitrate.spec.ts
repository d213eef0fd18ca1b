import { InvalidArgumentError } from '../errors';
import { encoderBitrateBps } from './video-bitrate';

describe('encoderBitrateBps', () => {
  it('uses TIAS as is', () => {
    expect(encoderBitrateBps({ tiasBps: 500000 })).toBe(500000);
  });

  it('subtracts IP/UDP/RTP overhead from AS', () => {
    // 512 kbit/s total at 25 frames/s: 25 + 512000/9600 = 78.33 packets/s × 320 bit = 25067 bit/s.
    expect(encoderBitrateBps({ asKbps: 512 })).toBe(486933);
    expect(encoderBitrateBps({ asKbps: 512, frameRate: 15, maxPayloadSize: 1000 })).toBe(512000 - Math.round((15 + 64) * 320));
  });

  it('converts H.245 maxBitRate from units of 100 bit/s and takes the smallest limit', () => {
    expect(encoderBitrateBps({ h245MaxBitRate: 3840 })).toBe(384000);
    expect(encoderBitrateBps({ tiasBps: 1_000_000, asKbps: 2000, h245MaxBitRate: 6000 })).toBe(600000);
  });

  it('falls back to the default and clamps to floor and ceiling', () => {
    expect(encoderBitrateBps({})).toBe(768000);
    expect(encoderBitrateBps({ defaultBps: 300000 })).toBe(300000);
    expect(encoderBitrateBps({ tiasBps: 10 })).toBe(32000);
    expect(encoderBitrateBps({ asKbps: 0 })).toBe(32000);
    expect(encoderBitrateBps({ tiasBps: 9_000_000 })).toBe(2_500_000);
    expect(encoderBitrateBps({ tiasBps: 9_000_000, ceilingBps: 4_000_000 })).toBe(4_000_000);
  });

  it('rejects negative or non-finite limits', () => {
    expect(() => encoderBitrateBps({ asKbps: -1 })).toThrow(InvalidArgumentError);
    expect(() => encoderBitrateBps({ tiasBps: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
