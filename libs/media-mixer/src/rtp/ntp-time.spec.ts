import { compactToMs, msToCompact, ntpCompact, ntpFromUnixMs } from './ntp-time';

describe('NTP time (RFC 3550 §4)', () => {
  it('converts the RFC 3550 §6.4.1 example instant 1995-11-10 11:33:25.125 UTC to compact 0xb705:2000', () => {
    const ntp = ntpFromUnixMs(Date.UTC(1995, 10, 10, 11, 33, 25, 125));
    expect(ntp >> 32n).toBe(0xb44db705n);
    expect(ntp & 0xffffffffn).toBe(0x20000000n);
    expect(ntpCompact(ntp)).toBe(0xb7052000);
  });

  it('converts the Unix epoch to NTP second 2208988800', () => {
    expect(ntpFromUnixMs(0)).toBe(2208988800n << 32n);
  });

  it('converts durations to and from 1/65536 s', () => {
    expect(msToCompact(5250)).toBe(0x00054000);
    expect(compactToMs(0x00062000)).toBe(6125);
    expect(msToCompact(-5)).toBe(0);
  });
});
