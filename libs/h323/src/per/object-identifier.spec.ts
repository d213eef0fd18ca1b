import { execFileSync } from 'child_process';
import fc from 'fast-check';
import { oidContents, oidText } from './object-identifier';

/**
 * OBJECT IDENTIFIER contents octets (X.690 §8.19), checked against asn1js as an independent BER encoder and
 * decoder. asn1js runs in a child Node process (its ES-module dependencies load natively there).
 */
const ORACLE = `
const asn1js = require('asn1js');
const oids = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = oids.map((oid) => {
  const ber = Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER(false));
  const header = ber[1] < 0x80 ? 2 : 2 + (ber[1] & 0x7f);
  const text = asn1js.fromBER(ber).result.getValue();
  return { contents: ber.subarray(header).toString('hex'), text };
});
process.stdout.write(JSON.stringify(out));
`;

function asn1js(oids: string[]): { contents: string; text: string }[] {
  const output = execFileSync(process.execPath, ['-e', ORACLE], { input: JSON.stringify(oids), cwd: process.cwd() });
  return JSON.parse(output.toString('utf8')) as { contents: string; text: string }[];
}

const FIXED = ['0.0.8.2250.0.7', '0.0.8.245.0.15', '1.2.840.113549.1.1.11', '2.999.3', '0.39', '1.0', '2.100.4294967296'];
const arc = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
const RANDOM = fc.sample(
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 39 }), fc.array(arc, { maxLength: 8 }))
    .map(([a, b, rest]) => [a, b, ...rest].join('.')),
  { seed: 2250, numRuns: 300 },
);

describe('OBJECT IDENTIFIER contents (X.690 §8.19)', () => {
  const oids = [...FIXED, ...RANDOM];
  const expected = asn1js(oids);

  it.each(oids.map((oid, i) => [oid, i] as const))('%s matches asn1js both ways', (oid, i) => {
    expect(oidContents(oid)?.toString('hex')).toBe(expected[i].contents);
    expect(expected[i].text).toBe(oid);
    expect(oidText(Buffer.from(expected[i].contents, 'hex'))).toBe(oid);
  });

  it('keeps arcs beyond 2^53 exact', () => {
    const oid = '2.25.329800735698586629295641978511506172918';
    expect(oidText(oidContents(oid) as Buffer)).toBe(oid);
  });

  it.each(['', '1', '3.1', '0.40', '1.02', 'a.b', '1..2'])('rejects %j', (text) => {
    expect(oidContents(text)).toBeUndefined();
  });

  it('rejects malformed contents', () => {
    expect(oidText(Buffer.alloc(0))).toBeUndefined();
    expect(oidText(Buffer.from([0x81]))).toBeUndefined();
    expect(oidText(Buffer.from([0x80, 0x01]))).toBeUndefined();
  });
});
