import { CodecError, InvalidArgumentError } from '../errors';
import { IvfReader, serializeIvfFileHeader, serializeIvfFrame } from './ivf';

const header = { fourcc: 'VP80', width: 320, height: 240, timebaseRate: 90000, timebaseScale: 1 };

describe('IVF', () => {
  it('writes the 32-octet file header and 12-octet frame headers (little endian)', () => {
    expect(serializeIvfFileHeader(header).toString('hex')).toBe(
      '444b4946' + '0000' + '2000' + '56503830' + '4001' + 'f000' + '905f0100' + '01000000' + '00000000' + '00000000',
    );
    expect(serializeIvfFrame(Buffer.from([0xaa, 0xbb]), 3000n).toString('hex')).toBe('02000000' + 'b80b000000000000' + 'aabb');
  });

  it('reads frames split across arbitrary chunks, each as soon as it is complete', () => {
    const stream = Buffer.concat([
      serializeIvfFileHeader(header),
      serializeIvfFrame(Buffer.from('first'), 0n),
      serializeIvfFrame(Buffer.from('second!'), 3000n),
    ]);
    for (const step of [1, 5, 13, stream.length]) {
      const reader = new IvfReader();
      const frames = [];
      for (let i = 0; i < stream.length; i += step) frames.push(...reader.push(stream.subarray(i, i + step)));
      expect(frames.map((f) => [f.data.toString(), f.timestamp])).toEqual([
        ['first', 0n],
        ['second!', 3000n],
      ]);
      expect(reader.header).toEqual(header);
    }
    const reader = new IvfReader();
    expect(reader.push(stream.subarray(0, 32 + 12 + 5)).map((f) => f.data.toString())).toEqual(['first']);
  });

  it('rejects streams that are not IVF and impossible headers', () => {
    expect(() => new IvfReader().push(Buffer.alloc(32))).toThrow(CodecError);
    const huge = Buffer.concat([serializeIvfFileHeader(header), Buffer.from('ffffffff0000000000000000', 'hex')]);
    expect(() => new IvfReader().push(huge)).toThrow(/octets/);
    expect(() => serializeIvfFileHeader({ ...header, fourcc: 'VP8' })).toThrow(InvalidArgumentError);
    expect(() => serializeIvfFileHeader({ ...header, width: 70000 })).toThrow(InvalidArgumentError);
  });
});
