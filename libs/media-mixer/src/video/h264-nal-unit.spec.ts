import { isVclType, joinAnnexB, nalUnitType, sliceStartsPicture, splitAnnexB, withTrailingDelimiter } from './h264-nal-unit';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('Annex B byte stream (H.264 §B.1)', () => {
  it('splits on 3- and 4-octet start codes and strips trailing zero octets', () => {
    const stream = hex('ff ee 00000001 6742 000001 68ce 0000 00000001 6588 00 000001 0000 000001 4101');
    expect(splitAnnexB(stream)).toEqual([hex('6742'), hex('68ce'), hex('6588'), hex('4101')]);
  });

  it('keeps emulation-prevented zeros inside a NAL unit', () => {
    expect(splitAnnexB(hex('00000001 65 000003 01 00 02'))).toEqual([hex('65 000003 01 00 02')]);
  });

  it('returns nothing without a start code and joins with 4-octet start codes', () => {
    expect(splitAnnexB(hex('6742e01f'))).toEqual([]);
    expect(splitAnnexB(Buffer.alloc(0))).toEqual([]);
    expect(joinAnnexB([hex('6742'), hex('68ce')])).toEqual(hex('00000001 6742 00000001 68ce'));
    expect(splitAnnexB(joinAnnexB([hex('6742'), hex('68ce')]))).toEqual([hex('6742'), hex('68ce')]);
  });

  it('reads the NAL unit type and first_mb_in_slice = 0', () => {
    expect(nalUnitType(hex('65'))).toBe(5);
    expect(nalUnitType(Buffer.alloc(0))).toBeUndefined();
    expect([1, 5].every(isVclType)).toBe(true);
    expect([0, 6, 7, 8, 9].some(isVclType)).toBe(false);
    expect(sliceStartsPicture(hex('88'))).toBe(true);
    expect(sliceStartsPicture(hex('40'))).toBe(false);
    expect(sliceStartsPicture(Buffer.alloc(0))).toBe(false);
  });

  it('moves the access unit delimiter to the end for a decoder pipe', () => {
    expect(withTrailingDelimiter(hex('00000001 09f0 00000001 6588 000001 4101'))).toEqual(hex('00000001 6588 00000001 4101 00000001 09f0'));
  });
});
