import { parseUri } from '../message';
import { requestTarget } from './request-target';

const udp = { transport: 'UDP' as const, address: '203.0.113.7', port: 40123 };
const tcp = { transport: 'TCP' as const, address: '203.0.113.7', port: 51000 };

describe('requestTarget (RFC 3261 §12.2.1.1, §18.1.1; RFC 3581)', () => {
  it('sends to the Contact over the transport it names, default port 5060', () => {
    expect(requestTarget({ nextHop: parseUri('sip:alice@192.0.2.10;transport=tcp'), routed: false, source: udp, symmetric: false })).toEqual({
      transport: 'TCP',
      address: '192.0.2.10',
      port: 5060,
    });
  });

  it('keeps the transport of the dialog when the URI names none', () => {
    expect(requestTarget({ nextHop: parseUri('sip:alice@192.0.2.10:5070'), routed: true, source: tcp, symmetric: false })).toEqual({
      transport: 'TCP',
      address: '192.0.2.10',
      port: 5070,
    });
  });

  it('reuses the caller\'s TCP connection when there is no route set', () => {
    expect(requestTarget({ nextHop: parseUri('sip:alice@192.0.2.10:5060'), routed: false, source: tcp, symmetric: false })).toEqual(tcp);
  });

  it('answers a NATed UDP caller that asked for rport at its source address', () => {
    expect(requestTarget({ nextHop: parseUri('sip:alice@10.0.0.5:5060'), routed: false, source: udp, symmetric: true })).toEqual(udp);
    expect(requestTarget({ nextHop: parseUri('sip:alice@10.0.0.5:5060'), routed: false, source: udp, symmetric: false })).toEqual({
      transport: 'UDP',
      address: '10.0.0.5',
      port: 5060,
    });
  });

  it('follows a route set strictly, honours maddr and strips IPv6 brackets', () => {
    expect(requestTarget({ nextHop: parseUri('sip:proxy.example.com;lr;maddr=198.51.100.1'), routed: true, source: udp, symmetric: true })).toEqual({
      transport: 'UDP',
      address: '198.51.100.1',
      port: 5060,
    });
    expect(requestTarget({ nextHop: parseUri('sip:bob@[2001:db8::5]:5062'), routed: true, source: udp, symmetric: false })).toEqual({
      transport: 'UDP',
      address: '2001:db8::5',
      port: 5062,
    });
  });
});
