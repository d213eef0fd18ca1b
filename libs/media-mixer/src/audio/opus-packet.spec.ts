import { PacketFormatError } from '../errors';
import { readOpusPacket } from './opus-packet';

describe('readOpusPacket (RFC 6716 §3.1)', () => {
  it.each([
    // config << 3 | s << 2 | c
    [(1 << 3) | 0, 'SILK NB 20 ms, 1 frame', 960, false],
    [(3 << 3) | 0, 'SILK NB 60 ms', 2880, false],
    [(9 << 3) | 1, 'SILK WB 20 ms, 2 frames', 1920, false],
    [(13 << 3) | 0, 'Hybrid SWB 20 ms', 960, false],
    [(16 << 3) | 0, 'CELT NB 2.5 ms', 120, false],
    [(31 << 3) | 4 | 2, 'CELT FB 20 ms stereo, 2 frames', 1920, true],
  ])('TOC 0x%s (%s) lasts %p samples at 48 kHz', (toc, _what, samples, stereo) => {
    expect(readOpusPacket(Uint8Array.of(toc, 0, 0))).toMatchObject({ samples48k: samples, stereo });
  });

  it('reads the frame count of a code 3 packet', () => {
    expect(readOpusPacket(Uint8Array.of((31 << 3) | 3, 3))).toMatchObject({ frames: 3, samples48k: 2880 });
  });

  it.each([
    [Uint8Array.of(), /Empty/],
    [Uint8Array.of((31 << 3) | 3), /without frame count/],
    [Uint8Array.of((31 << 3) | 3, 0), /zero frames/],
    [Uint8Array.of((3 << 3) | 3, 3), /120 ms/], // 3 × 60 ms
  ])('rejects malformed packet %#', (packet, reason) => {
    expect(() => readOpusPacket(packet)).toThrow(PacketFormatError);
    expect(() => readOpusPacket(packet)).toThrow(reason);
  });
});
