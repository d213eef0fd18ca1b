import { CodecError } from '../errors';
import {
  CONSTRAINED_BASELINE_3_1,
  formatProfileLevelId,
  formatSpropParameterSets,
  isConstrainedBaseline,
  parseProfileLevelId,
  parseSpropParameterSets,
} from './h264-parameters';

describe('sprop-parameter-sets (RFC 6184 §8.1)', () => {
  it('decodes SPS and PPS from base64 and formats them back', () => {
    const value = 'Z0LgH41oBQ==,aM48gA==';
    const sets = parseSpropParameterSets(value);
    expect(sets.sps).toEqual([Buffer.from('6742e01f8d6805', 'hex')]);
    expect(sets.pps).toEqual([Buffer.from('68ce3c80', 'hex')]);
    expect(formatSpropParameterSets(sets)).toBe(value);
  });

  it('skips empty and non-parameter-set entries and rejects non-base64', () => {
    expect(parseSpropParameterSets(' Z0LgH41oBQ==, ,BgU=')).toEqual({ sps: [Buffer.from('6742e01f8d6805', 'hex')], pps: [] });
    expect(() => parseSpropParameterSets('Z0L*H41oBQ==')).toThrow(CodecError);
  });
});

describe('profile-level-id (RFC 6184 §8.1, Table 5)', () => {
  it.each([
    ['42e01f', 'constrained-baseline', '3.1'],
    ['42c01e', 'constrained-baseline', '3'],
    ['4d8028', 'constrained-baseline', '4'],
    ['58c00d', 'constrained-baseline', '1.3'],
    ['42001f', 'baseline', '3.1'],
    ['42100b', 'baseline', '1b'],
    ['4d001f', 'main', '3.1'],
    ['580015', 'extended', '2.1'],
    ['640028', 'high', '4'],
    ['640009', 'high', '1b'],
    ['6e0028', 'other', '4'],
  ])('%s is %s level %s', (value, profile, level) => {
    const parsed = parseProfileLevelId(value);
    expect(parsed.profile).toBe(profile);
    expect(parsed.level).toBe(level);
    expect(formatProfileLevelId(parsed.profileIdc, parsed.profileIop, parsed.levelIdc)).toBe(value);
  });

  it('recognises constrained baseline and rejects malformed values', () => {
    expect(isConstrainedBaseline(CONSTRAINED_BASELINE_3_1)).toBe(true);
    expect(isConstrainedBaseline('42E01F')).toBe(true);
    expect(isConstrainedBaseline('640028')).toBe(false);
    expect(isConstrainedBaseline('42e0')).toBe(false);
    expect(() => parseProfileLevelId('zz0000')).toThrow(CodecError);
  });
});
