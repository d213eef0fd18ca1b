/** targetForUri (RFC 3261 §8.1.2, §19.1.1; RFC 3263 §4 without DNS). */
import { parseUri } from '../message';
import { targetForUri, UnsupportedTargetError } from './request-target';

describe('targetForUri', () => {
  it('uses host and port, default 5060 over UDP', () => {
    expect(targetForUri(parseUri('sip:alice@192.0.2.4'))).toEqual({ transport: 'UDP', address: '192.0.2.4', port: 5060 });
    expect(targetForUri(parseUri('sip:alice@192.0.2.4:5080'))).toEqual({ transport: 'UDP', address: '192.0.2.4', port: 5080 });
  });

  it('honours transport=tcp and the default transport', () => {
    expect(targetForUri(parseUri('sip:alice@192.0.2.4;transport=TCP')).transport).toBe('TCP');
    expect(targetForUri(parseUri('sip:alice@192.0.2.4'), 'TCP').transport).toBe('TCP');
    expect(targetForUri(parseUri('sip:alice@192.0.2.4;transport=udp'), 'TCP').transport).toBe('UDP');
  });

  it('prefers maddr and strips IPv6 brackets', () => {
    expect(targetForUri(parseUri('sip:alice@example.com;maddr=198.51.100.1')).address).toBe('198.51.100.1');
    expect(targetForUri(parseUri('sip:alice@[2001:db8::1]:5062'))).toEqual({ transport: 'UDP', address: '2001:db8::1', port: 5062 });
  });

  it('refuses what the stack cannot reach', () => {
    expect(() => targetForUri(parseUri('sips:alice@192.0.2.4'))).toThrow(UnsupportedTargetError);
    expect(() => targetForUri(parseUri('sip:alice@192.0.2.4;transport=tls'))).toThrow(UnsupportedTargetError);
    expect(() => targetForUri(parseUri('tel:+15551234'))).toThrow(UnsupportedTargetError);
  });
});
