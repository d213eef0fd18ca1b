import { buildBearerCapability, parseBearerCapability, TransferCapability } from './bearer-capability';
import { buildCause, parseCause } from './cause';
import { buildPartyNumber, NUMBERING_PLAN_E164, parsePartyNumber } from './party-number';
import { Q931Error } from './q931-error';
import {
  buildCallState,
  buildDisplay,
  buildProgressIndicator,
  parseCallState,
  parseDisplay,
  parseProgressIndicator,
  parseSignal,
} from './simple-elements';
import { buildUserUser, parseUserUser } from './user-user';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('Bearer capability (Q.931 §4.5.5)', () => {
  it('reads the H.323 video-call bearer of the captures and writes it back', () => {
    expect(parseBearerCapability(hex('88188ca5'))).toEqual({
      codingStandard: 0,
      transferCapability: TransferCapability.UnrestrictedDigital,
      transferMode: 0,
      transferRate: 0x18,
      rateMultiplier: 12,
      layer1Protocol: 5,
      rest: Buffer.alloc(0),
    });
    expect(buildBearerCapability().toString('hex')).toBe('88188ca5');
  });

  it('reads a speech bearer at 64 kbit/s with G.711 µ-law', () => {
    expect(parseBearerCapability(hex('8090a2'))).toMatchObject({ transferCapability: 0, transferRate: 0x10, layer1Protocol: 2 });
    expect(buildBearerCapability({ transferCapability: 0, transferRate: 0x10, layer1Protocol: 2 }).toString('hex')).toBe('8090a2');
  });

  it.each(['', '88', '8818'])('rejects short contents %s', (contents) => {
    expect(() => parseBearerCapability(hex(contents))).toThrow(Q931Error);
  });
});

describe('Cause (Q.931 §4.5.12)', () => {
  it('reads location, value and diagnostics, with and without octet 3a', () => {
    expect(parseCause(hex('8090'))).toEqual({ codingStandard: 0, location: 0, value: 16, diagnostics: Buffer.alloc(0) });
    expect(parseCause(hex('028195aa'))).toEqual({ codingStandard: 0, location: 2, recommendation: 1, value: 21, diagnostics: hex('aa') });
  });

  it('writes user location and the value with extension bits', () => {
    expect(buildCause(1).toString('hex')).toBe('8081');
    expect(buildCause(21).toString('hex')).toBe('8095');
    expect(() => buildCause(128)).toThrow(RangeError);
  });

  it.each(['', '80', '0281'])('rejects short contents %s', (contents) => {
    expect(() => parseCause(hex(contents))).toThrow(Q931Error);
  });
});

describe('Calling/Called party number (Q.931 §4.5.8, §4.5.10)', () => {
  it('reads type, plan and digits', () => {
    expect(parsePartyNumber(Buffer.concat([hex('a1'), Buffer.from('4001*1234')]))).toEqual({
      typeOfNumber: 2,
      numberingPlan: NUMBERING_PLAN_E164,
      digits: '4001*1234',
    });
  });

  it('reads octet 3a of a calling party number', () => {
    expect(parsePartyNumber(Buffer.concat([hex('0181'), Buffer.from('555')]))).toEqual({
      typeOfNumber: 0,
      numberingPlan: 1,
      presentation: 0,
      screening: 1,
      digits: '555',
    });
  });

  it('round-trips both forms', () => {
    for (const n of [
      { typeOfNumber: 0, numberingPlan: 1, digits: '4001' },
      { typeOfNumber: 1, numberingPlan: 1, presentation: 1, screening: 3, digits: '4930123' },
    ]) {
      expect(parsePartyNumber(buildPartyNumber(n))).toEqual(n);
    }
    expect(() => buildPartyNumber({ typeOfNumber: 0, numberingPlan: 1, digits: 'ä' })).toThrow(RangeError);
  });

  it.each(['', '01'])('rejects short contents %s', (contents) => {
    expect(() => parsePartyNumber(hex(contents))).toThrow(Q931Error);
  });
});

describe('Display, Progress indicator, Signal, Call state, User-user', () => {
  it('drops the trailing NUL some endpoints send and writes printable IA5', () => {
    expect(parseDisplay(hex('726f6f7400'))).toBe('root');
    expect(buildDisplay('Räum 1').toString('latin1')).toBe('R?um 1');
  });

  it('reads and writes the other elements', () => {
    expect(parseProgressIndicator(buildProgressIndicator(8))).toEqual({ codingStandard: 0, location: 0, description: 8 });
    expect(parseSignal(hex('01'))).toBe(1);
    expect(parseCallState(buildCallState(10))).toBe(10);
    expect(parseUserUser(buildUserUser(hex('2000')))).toEqual({ protocolDiscriminator: 5, information: hex('2000') });
  });

  it('rejects empty contents', () => {
    for (const parse of [parseProgressIndicator, parseSignal, parseCallState, parseUserUser]) {
      expect(() => parse(Buffer.alloc(0))).toThrow(Q931Error);
    }
  });
});
