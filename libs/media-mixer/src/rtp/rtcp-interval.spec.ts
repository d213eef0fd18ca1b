import { rtcpIntervalMs } from './rtcp-interval';

const base = { members: 2, senders: 2, weSent: true, rtcpBandwidth: 400, averagePacketSize: 100, initial: false, random: 0.5 };

describe('rtcpIntervalMs (RFC 3550 §6.3.1, §A.7)', () => {
  it('is the 5 s minimum, compensated by e − 3/2, for a call leg', () => {
    // 2 members × 100 octets / 400 octets/s = 0.5 s < 5 s; ×(0.5 + 0.5) / 1.21828 = 4.104 s.
    expect(rtcpIntervalMs(base)).toBeCloseTo(5000 / (Math.E - 1.5), 6);
  });

  it('halves the minimum before the first report and spreads over [0.5, 1.5]', () => {
    expect(rtcpIntervalMs({ ...base, initial: true, random: 0 })).toBeCloseTo((2500 * 0.5) / (Math.E - 1.5), 6);
    expect(rtcpIntervalMs({ ...base, random: 0.999999 })).toBeCloseTo((5000 * 1.499999) / (Math.E - 1.5), 3);
  });

  it('grows with the session once size × members exceeds the bandwidth', () => {
    // 200 members, 10 senders (≤ 25 %), we receive only: bandwidth 0.75 × 400 = 300 octets/s,
    // n = 190 → 190 × 100 / 300 = 63.33 s.
    const ms = rtcpIntervalMs({ ...base, members: 200, senders: 10, weSent: false });
    expect(ms).toBeCloseTo((63333.333 * 1) / (Math.E - 1.5), 0);
    // As one of the 10 senders: 0.25 × 400 = 100 octets/s, n = 10 → 10 s.
    expect(rtcpIntervalMs({ ...base, members: 200, senders: 10, weSent: true })).toBeCloseTo(10000 / (Math.E - 1.5), 3);
  });
});
