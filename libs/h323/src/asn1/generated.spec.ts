import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { H225, H235, H245, H323_SCHEMA } from './generated';
import { generateSchemaFiles } from './generate';
import { H323_ASN1_FILES, H323_GENERATED_DIR, readH323Sources } from './h323-sources';

describe('generated H.323 schema (src/asn1/generated)', () => {
  const regenerated = generateSchemaFiles(readH323Sources());

  it('holds exactly the files the generator writes', () => {
    expect(readdirSync(H323_GENERATED_DIR).sort()).toEqual([...regenerated.keys()].sort());
  });

  it.each([...regenerated.keys()])('%s is what regenerating produces (run npm run asn1:generate)', (file) => {
    expect(readFileSync(join(H323_GENERATED_DIR, file), 'utf8')).toBe(regenerated.get(file));
  });

  it('links every type of the three modules', () => {
    expect(H323_SCHEMA.modules).toEqual(['H235-SECURITY-MESSAGES', 'MULTIMEDIA-SYSTEM-CONTROL', 'H323-MESSAGES']);
    expect(H323_ASN1_FILES).toHaveLength(3);
    expect(Object.keys(H225)).toHaveLength(175);
    expect(Object.keys(H245)).toHaveLength(270);
  });

  it('resolves imports across modules to the defining module', () => {
    const alerting = H225.Alerting_UUIE;
    if (alerting.kind !== 'SEQUENCE') throw new Error('Alerting-UUIE must be a SEQUENCE');
    const tokens = alerting.additions.find((a) => a.components[0].name === 'tokens')?.components[0].type;
    expect(tokens?.kind === 'SEQUENCE OF' ? tokens.item : undefined).toBe(H235.ClearToken);
    expect(H235.ClearToken.name).toBe('H235-SECURITY-MESSAGES.ClearToken');
  });

  it('instantiates SIGNED{}, ENCRYPTED{} and HASHED{} with open types for TYPE-IDENTIFIER.&Type', () => {
    const token = H225.CryptoH323Token;
    if (token.kind !== 'CHOICE') throw new Error('CryptoH323Token must be a CHOICE');
    const cert = token.byName.get('cryptoEPCert');
    if (cert?.type.kind !== 'SEQUENCE') throw new Error('SIGNED{} must be a SEQUENCE');
    expect(cert.type.root.map((c) => c.name)).toEqual(['toBeSigned', 'algorithmOID', 'paramS', 'signature']);
    const toBeSigned = cert.type.root[0].type;
    expect(toBeSigned.kind).toBe('OPEN TYPE');
    // EncodedPwdCertToken ::= TYPE-IDENTIFIER.&Type (PwdCertToken), PwdCertToken ::= ClearToken (WITH COMPONENTS …)
    expect(toBeSigned.kind === 'OPEN TYPE' ? toBeSigned.contains : undefined).toBe(H235.ClearToken);
  });

  it('plans permitted alphabets: dialedDigits uses 4-bit indexes into "#*,0123456789"', () => {
    const alias = H225.AliasAddress;
    if (alias.kind !== 'CHOICE') throw new Error('AliasAddress must be a CHOICE');
    const digits = alias.byName.get('dialedDigits')?.type;
    if (digits?.kind !== 'STRING') throw new Error('dialedDigits must be a string');
    expect(digits.bitsPerChar).toBe(4);
    expect(digits.indexAlphabet).toBe('#*,0123456789');
  });
});
