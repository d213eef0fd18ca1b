import { RELATCH_SILENCE_MS, RtpLatch, isPubliclyRoutable, type NegotiatedTransport } from './rtp-latch';

const negotiated = (address: string, port = 4000, rtcpMux = false): NegotiatedTransport => ({ rtp: { address, port }, rtcpPort: port + 1, rtcpMux });

describe('RtpLatch (symmetric RTP, RFC 7362 latching)', () => {
  it('sends to the negotiated address until the first packet, then to its source', () => {
    const latch = new RtpLatch(negotiated('198.51.100.7'));
    expect(latch.state).toBe('negotiated');
    expect(latch.rtpTarget()).toEqual({ address: '198.51.100.7', port: 4000 });
    expect(latch.rtcpTarget()).toEqual({ address: '198.51.100.7', port: 4001 });
    // Same public IP, port rewritten by a NAT.
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 31000 })).toBe(true);
    expect(latch.state).toBe('latched');
    expect(latch.rtpTarget()).toEqual({ address: '198.51.100.7', port: 31000 });
    expect(latch.rtcpTarget()).toEqual({ address: '198.51.100.7', port: 4001 });
  });

  it('refuses another public source before latching when the negotiated address is public', () => {
    const latch = new RtpLatch(negotiated('198.51.100.7'));
    expect(latch.acceptRtp({ address: '203.0.113.9', port: 4000 })).toBe(false);
    expect(latch.state).toBe('negotiated');
  });

  it.each(['192.168.1.20', '10.1.2.3', '172.20.0.5', '100.64.3.4', '169.254.1.1', 'fd00::5', 'fe80::1', '0.0.0.0'])(
    'latches to any source when the negotiated address %s cannot be a packet source behind NAT',
    (address) => {
      const latch = new RtpLatch(negotiated(address));
      expect(latch.acceptRtp({ address: '203.0.113.9', port: 5555 })).toBe(true);
      expect(latch.rtpTarget()).toEqual({ address: '203.0.113.9', port: 5555 });
    },
  );

  it('accepts only the exact latched source afterwards, even from the same IP', () => {
    const latch = new RtpLatch(negotiated('192.168.1.20'));
    latch.acceptRtp({ address: '203.0.113.9', port: 5555 });
    expect(latch.acceptRtp({ address: '203.0.113.9', port: 5555 })).toBe(true);
    expect(latch.acceptRtp({ address: '::ffff:203.0.113.9', port: 5555 })).toBe(true);
    expect(latch.acceptRtp({ address: '203.0.113.9', port: 5556 })).toBe(false);
    expect(latch.acceptRtp({ address: '192.168.1.20', port: 4000 })).toBe(false);
  });

  it('latches anew only after the latched source fell silent, and only a source rule 1 accepts', () => {
    let now = 0;
    const latch = new RtpLatch(negotiated('198.51.100.7'), () => now);
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 31000 })).toBe(true);
    expect(latch.acceptRtcp({ address: '198.51.100.7', port: 31001 })).toBe(true);
    now = RELATCH_SILENCE_MS - 1;
    // Still talking: another port of the same IP is foreign.
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 32000 })).toBe(false);
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 31000 })).toBe(true);
    now += RELATCH_SILENCE_MS;
    // Silent for a second: another public IP still may not take the leg, the negotiated IP may.
    expect(latch.acceptRtp({ address: '203.0.113.9', port: 4000 })).toBe(false);
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 32000 })).toBe(true);
    expect(latch.rtpTarget()).toEqual({ address: '198.51.100.7', port: 32000 });
    // RTCP is learnt again from the new source's IP.
    expect(latch.rtcpTarget()).toEqual({ address: '198.51.100.7', port: 4001 });
    expect(latch.acceptRtcp({ address: '198.51.100.7', port: 32001 })).toBe(true);
    // The old source is now the stranger.
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 31000 })).toBe(false);
  });

  it('latches RTCP separately to its own source port at the latched IP', () => {
    const latch = new RtpLatch(negotiated('192.168.1.20'));
    latch.acceptRtp({ address: '203.0.113.9', port: 5555 });
    expect(latch.acceptRtcp({ address: '198.51.100.1', port: 5556 })).toBe(false);
    expect(latch.acceptRtcp({ address: '203.0.113.9', port: 6001 })).toBe(true);
    expect(latch.rtcpTarget()).toEqual({ address: '203.0.113.9', port: 6001 });
    expect(latch.acceptRtcp({ address: '203.0.113.9', port: 6002 })).toBe(false);
  });

  it('with rtcp-mux sends RTCP to the RTP target and accepts it only from there', () => {
    const latch = new RtpLatch(negotiated('198.51.100.7', 4000, true));
    expect(latch.rtcpTarget()).toEqual({ address: '198.51.100.7', port: 4000 });
    latch.acceptRtp({ address: '198.51.100.7', port: 4100 });
    expect(latch.rtcpTarget()).toEqual({ address: '198.51.100.7', port: 4100 });
    expect(latch.acceptRtcp({ address: '198.51.100.7', port: 4101 })).toBe(false);
    expect(latch.acceptRtcp({ address: '198.51.100.7', port: 4100 })).toBe(true);
  });

  it('is undone only by a renegotiation that changes the remote transport', () => {
    const latch = new RtpLatch(negotiated('198.51.100.7'));
    latch.acceptRtp({ address: '198.51.100.7', port: 31000 });
    expect(latch.renegotiate(negotiated('198.51.100.7'))).toBe(false);
    expect(latch.state).toBe('latched');
    expect(latch.renegotiate(negotiated('198.51.100.8'))).toBe(true);
    expect(latch.state).toBe('negotiated');
    expect(latch.rtpTarget()).toEqual({ address: '198.51.100.8', port: 4000 });
    expect(latch.acceptRtp({ address: '198.51.100.7', port: 31000 })).toBe(false);
    expect(latch.acceptRtp({ address: '198.51.100.8', port: 32000 })).toBe(true);
  });

  it('sends nothing to a hold address until something latched', () => {
    const latch = new RtpLatch(negotiated('0.0.0.0'));
    expect(latch.rtpTarget()).toBeUndefined();
    expect(latch.rtcpTarget()).toBeUndefined();
  });

  it('classifies addresses', () => {
    expect(isPubliclyRoutable('127.0.0.1')).toBe(true);
    expect(isPubliclyRoutable('8.8.8.8')).toBe(true);
    expect(isPubliclyRoutable('2001:db8::1')).toBe(true);
    expect(isPubliclyRoutable('172.32.0.1')).toBe(true);
    expect(isPubliclyRoutable('172.31.0.1')).toBe(false);
    expect(isPubliclyRoutable('::')).toBe(false);
    expect(isPubliclyRoutable('example.com')).toBe(false);
  });
});
