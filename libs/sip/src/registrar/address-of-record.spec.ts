import { parseUri } from '../message';
import { addressOfRecord } from './address-of-record';

describe('addressOfRecord (RFC 3261 §10.3 step 5)', () => {
  it.each([
    ['sip:alice@mcu.example', 'sip:alice@mcu.example'],
    ['sips:alice@MCU.Example:5061;transport=tls?subject=x', 'sip:alice@mcu.example'],
    ['sip:%61lice@mcu.example', 'sip:alice@mcu.example'],
    ['sip:Alice@mcu.example', 'sip:Alice@mcu.example'],
    ['sip:alice:pw@mcu.example', 'sip:alice@mcu.example'],
    ['sip:+4930123;phone-context=x@[2001:DB8::1]', 'sip:+4930123;phone-context=x@[2001:db8::1]'],
  ])('%s → %s', (uri, aor) => {
    expect(addressOfRecord(parseUri(uri))).toBe(aor);
  });

  it('replaces the host when asked', () => {
    expect(addressOfRecord(parseUri('sip:alice@10.0.0.1:5060'), 'MCU.example')).toBe('sip:alice@mcu.example');
  });

  it.each(['sip:mcu.example', 'tel:+4930123', 'mailto:alice@example.com'])('has no AOR for %s', (uri) => {
    expect(addressOfRecord(parseUri(uri))).toBeUndefined();
  });
});
