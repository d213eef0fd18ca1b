/** Via processing (RFC 3261 §18.2.1, §18.2.2, §18.1.2; RFC 3581 §4). */
import { parseVia } from '../message';
import { isOwnSentBy, responseDestination, stampReceived } from './via-routing';

const via = (text: string) => parseVia(text)[0];
const UDP_SRC = { transport: 'UDP' as const, address: '198.51.100.7', port: 40000 };

describe('stampReceived (§18.2.1, RFC 3581 §4)', () => {
  it('adds received when the sent-by host differs from the source address', () => {
    const v = via('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1');
    expect(stampReceived(v, UDP_SRC)).toBe(true);
    expect(v.received).toBe('198.51.100.7');
    expect(v.rport).toBeUndefined();
  });

  it('adds nothing when the sent-by is the source address and there is no rport', () => {
    const v = via('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1');
    expect(stampReceived(v, UDP_SRC)).toBe(false);
    expect(v.received).toBeUndefined();
  });

  it('fills an empty rport with the source port and always adds received', () => {
    const v = via('SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1;rport');
    expect(stampReceived(v, UDP_SRC)).toBe(true);
    expect(v.rport).toBe(40000);
    expect(v.received).toBe('198.51.100.7');
  });

  it('treats a host name as different from any address', () => {
    const v = via('SIP/2.0/UDP phone.example.com;branch=z9hG4bK1');
    stampReceived(v, UDP_SRC);
    expect(v.received).toBe('198.51.100.7');
  });

  it('leaves an rport that already has a value', () => {
    const v = via('SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;rport=1234');
    stampReceived(v, UDP_SRC);
    expect(v.rport).toBe(1234);
  });
});

describe('responseDestination (§18.2.2, RFC 3581 §4)', () => {
  it('UDP: received + rport', () => {
    const v = via('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;received=198.51.100.7;rport=40000');
    expect(responseDestination(v, UDP_SRC, false)).toEqual({ transport: 'UDP', address: '198.51.100.7', port: 40000 });
  });

  it('UDP: received without rport uses the sent-by port', () => {
    const v = via('SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1;received=198.51.100.7');
    expect(responseDestination(v, UDP_SRC, false)).toEqual({ transport: 'UDP', address: '198.51.100.7', port: 5070 });
  });

  it('UDP: maddr wins, with the sent-by port or 5060', () => {
    const v = via('SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK1;maddr=239.1.1.1;received=198.51.100.7');
    expect(responseDestination(v, UDP_SRC, false)).toEqual({ transport: 'UDP', address: '239.1.1.1', port: 5060 });
  });

  it('UDP: plain sent-by, default port 5060', () => {
    const v = via('SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1');
    expect(responseDestination(v, UDP_SRC, false)).toEqual({ transport: 'UDP', address: '198.51.100.7', port: 5060 });
  });

  it('TCP: the open connection first, else received at the sent-by port', () => {
    const src = { transport: 'TCP' as const, address: '198.51.100.7', port: 40001 };
    const v = via('SIP/2.0/TCP 10.0.0.5:5070;branch=z9hG4bK1;received=198.51.100.7;rport=40001');
    expect(responseDestination(v, src, true)).toEqual(src);
    expect(responseDestination(v, src, false)).toEqual({ transport: 'TCP', address: '198.51.100.7', port: 5070 });
  });
});

describe('isOwnSentBy (§18.1.2)', () => {
  it('accepts our host and port, case-insensitively, with 5060 as the default port', () => {
    expect(isOwnSentBy(via('SIP/2.0/UDP MCU.example.com:5070;branch=z9hG4bK1'), ['mcu.example.com'], 5070)).toBe(true);
    expect(isOwnSentBy(via('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1'), ['192.0.2.1'], 5060)).toBe(true);
  });

  it('rejects another host or port', () => {
    expect(isOwnSentBy(via('SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK1'), ['192.0.2.1'], 5060)).toBe(false);
    expect(isOwnSentBy(via('SIP/2.0/UDP 192.0.2.1:5061;branch=z9hG4bK1'), ['192.0.2.1'], 5060)).toBe(false);
  });
});
