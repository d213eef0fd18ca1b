import { readFileSync } from 'fs';
import { join } from 'path';
import { compileAsn1 } from '../asn1/compiler';
import { decode, encode } from './codec';
import type { PerType } from './compiled-type';

/**
 * X.691 Annex A: the example modules and their ALIGNED encodings, byte for byte in both directions.
 * The module texts are in fixtures/; the expected octets are the hexadecimal figures of Annex A.
 */
function load(file: string, module: string, type: string): PerType<unknown> {
  const text = readFileSync(join(__dirname, 'fixtures', file), 'latin1');
  return compileAsn1([{ name: file, text }]).get(module, type);
}

const personnelRecord = (withSex: boolean): Record<string, unknown> => ({
  name: { givenName: 'John', initial: 'P', familyName: 'Smith' },
  title: 'Director',
  number: 51,
  dateOfHire: '19710917',
  nameOfSpouse: { givenName: 'Mary', initial: 'T', familyName: 'Smith' },
  children: [
    { name: { givenName: 'Ralph', initial: 'T', familyName: 'Smith' }, dateOfBirth: '19571111' },
    {
      name: { givenName: 'Susan', initial: 'B', familyName: 'Jones' },
      dateOfBirth: '19590717',
      ...(withSex ? { sex: 'female' } : {}),
    },
  ],
});

const cases: { clause: string; file: string; module: string; type: string; value: unknown; hex: string }[] = [
  {
    clause: 'A.1 (no constraints)',
    file: 'x691-a1.asn',
    module: 'X691-A1',
    type: 'PersonnelRecord',
    value: personnelRecord(false),
    hex:
      '80044a6f686e015005536d6974680133084469726563746f72083139373130393137044d617279015405536d697468' +
      '020552616c7068015405536d69746808313935373131313105537573616e0142054a6f6e6573083139353930373137',
  },
  {
    clause: 'A.2 (size and permitted-alphabet constraints)',
    file: 'x691-a2.asn',
    module: 'X691-A2',
    type: 'PersonnelRecord',
    value: personnelRecord(false),
    hex:
      '864a6f686e5010536d6974680133084469726563746f72197109170c4d6172795410536d697468021052616c7068' +
      '5410536d6974681957111110537573616e42104a6f6e657319590717',
  },
  {
    clause: 'A.3 (constraints with extension markers, one extension addition)',
    file: 'x691-a3.asn',
    module: 'X691-A3',
    type: 'PersonnelRecord',
    value: personnelRecord(true),
    hex:
      '40c04a6f686e5008536d697468000033084469726563746f720019710917034d6172795408536d697468010052616c' +
      '70685408536d69746800195711118200537573616e42084a6f6e65730019590717010140',
  },
  {
    clause: 'A.4 (extension addition groups)',
    file: 'x691-a4.asn',
    module: 'X691-A4',
    type: 'Ax',
    value: { a: 253, b: true, c: { tag: 'e', value: true }, g: '123', h: true },
    hex: '9e000180010291a4',
  },
];

describe('X.691 Annex A examples (ALIGNED variant)', () => {
  describe.each(cases)('$clause', ({ file, module, type, value, hex }) => {
    const compiled = load(file, module, type);

    it('encodes to the octets of the standard', () => {
      expect(encode(compiled, value).toString('hex')).toBe(hex);
    });

    it('decodes the octets of the standard to the value', () => {
      expect(decode(compiled, Buffer.from(hex, 'hex'))).toEqual(value);
    });
  });

  it('decodes A.3 with the A.3 schema minus its extension additions, keeping the unknown addition', () => {
    // The same record read by a peer whose ChildInformation has no "sex": the addition is kept as octets.
    const older = readFileSync(join(__dirname, 'fixtures', 'x691-a3.asn'), 'latin1').replace(
      /,\s*sex\s+\[1\] IMPLICIT ENUMERATED \{male\(1\), female\(2\), unknown\(3\)\} OPTIONAL/,
      '',
    );
    const compiled = compileAsn1([{ name: 'older', text: older }]).get('X691-A3', 'PersonnelRecord');
    const bytes = Buffer.from(cases[2].hex, 'hex');
    const value = decode(compiled, bytes) as { children: Record<string, unknown>[] };
    expect(value.children[1].sex).toBeUndefined();
    expect(value.children[1].$unknownExtensions).toEqual([{ index: 0, encoding: Buffer.from([0x40]) }]);
    expect(encode(compiled, value).toString('hex')).toBe(cases[2].hex);
  });
});
