import { RtcpReceiverInfo, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket } from 'werift-rtp';
import { PacketFormatError } from '../errors';
import { ntpFromUnixMs } from './ntp-time';
import { cnameDescription, findCname, parseCompoundRtcp, serializeCompoundRtcp } from './rtcp-compound';
import { RtcpReporter } from './rtcp-reporter';

const OUR = 0x11111111;
const PEER = 0x22222222;
/** RFC 3550 §6.4.1 example: our SR leaves at 11:33:25.125 UTC (compact NTP 0xb705:2000). */
const SR_SENT = Date.UTC(1995, 10, 10, 11, 33, 25, 125);

function setup() {
  const time = { mono: 0, wall: SR_SENT };
  const reporter = new RtcpReporter({ ssrc: OUR, cname: 'mcu@127.0.0.1', clockRate: 8000, clock: () => time.mono, wallClock: () => time.wall });
  return { time, reporter };
}

describe('RtcpReporter', () => {
  it('sends an SR with NTP/RTP timestamps, counts and a report block, then SDES CNAME', () => {
    const { time, reporter } = setup();
    // We send 50 packets of 160 octets, every 20 ms, timestamps 1000 + 160k.
    for (let k = 0; k < 50; k++) {
      time.mono = k * 20;
      reporter.onRtpSent(1000 + 160 * k, 160);
    }
    // The peer sends 1000…1009 without 1004 (1000 is the probation packet of RFC 3550 A.1).
    for (const seq of [1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009]) {
      reporter.onRtpReceived({ ssrc: PEER, sequenceNumber: seq, timestamp: seq * 160, payload: Buffer.alloc(160) });
    }
    time.mono = 1000;
    const parsed = parseCompoundRtcp(reporter.buildReport());
    const sr = parsed.senderReports[0];
    expect(sr.ssrc).toBe(OUR);
    expect(sr.senderInfo.ntpTimestamp).toBe(ntpFromUnixMs(SR_SENT));
    // Last packet: timestamp 1000 + 160·49 = 8840 at 980 ms; 20 ms later → 8840 + 160 = 9000.
    expect(sr.senderInfo).toMatchObject({ rtpTimestamp: 9000, packetCount: 50, octetCount: 8000 });
    // base 1001, highest 1009 → expected 9, received 8 → lost 1, fraction floor(256/9) = 28.
    expect(sr.reports).toHaveLength(1);
    expect(sr.reports[0]).toMatchObject({ ssrc: PEER, fractionLost: 28, packetsLost: 1, highestSequence: 1009, lsr: 0, dlsr: 0 });
    expect(findCname(parsed, OUR)).toBe('mcu@127.0.0.1');
    expect(reporter.stats()).toMatchObject({ packetsSent: 50, octetsSent: 8000, packetsReceived: 8, packetsLost: 1, remoteSsrc: PEER });
    expect(reporter.stats().fractionLost).toBeCloseTo(28 / 256, 10);
  });

  it('computes the round-trip time of the RFC 3550 §6.4.1 example: 6.125 s', () => {
    const { time, reporter } = setup();
    // The peer's RR arrives at 11:33:36.5 (A = 0xb710:8000) with LSR = 0xb705:2000 and DLSR = 5.25 s.
    time.wall = Date.UTC(1995, 10, 10, 11, 33, 36, 500);
    const rr = new RtcpRrPacket({
      ssrc: PEER,
      reports: [new RtcpReceiverInfo({ ssrc: OUR, fractionLost: 64, packetsLost: 0xfffffe, highestSequence: 70000, jitter: 80, lsr: 0xb7052000, dlsr: 0x00054000 })],
    });
    reporter.onRtcpReceived(serializeCompoundRtcp([rr, cnameDescription(PEER, 'alice@192.0.2.1')]));
    const stats = reporter.stats();
    expect(stats.roundTripTimeMs).toBe(6125);
    expect(stats.remote).toEqual({ fractionLost: 0.25, cumulativeLost: -2, jitterMs: 10, extendedHighestSequence: 70000 });
    expect(stats.remoteCname).toBe('alice@192.0.2.1');
  });

  it('ignores report blocks about other sources and blocks without LSR for the RTT', () => {
    const { reporter } = setup();
    const rr = new RtcpRrPacket({
      ssrc: PEER,
      reports: [
        new RtcpReceiverInfo({ ssrc: 0x999, fractionLost: 1, packetsLost: 1, highestSequence: 1, jitter: 1, lsr: 0xb7052000, dlsr: 1 }),
        new RtcpReceiverInfo({ ssrc: OUR, fractionLost: 0, packetsLost: 0, highestSequence: 1, jitter: 0, lsr: 0, dlsr: 0 }),
      ],
    });
    reporter.onRtcpReceived(rr.serialize());
    expect(reporter.stats().roundTripTimeMs).toBeUndefined();
    expect(reporter.stats().remote?.fractionLost).toBe(0);
  });

  it('echoes the peer’s SR as LSR with DLSR in its next report block', () => {
    const { time, reporter } = setup();
    reporter.onRtpReceived({ ssrc: PEER, sequenceNumber: 1, timestamp: 0, payload: Buffer.alloc(160) });
    reporter.onRtpReceived({ ssrc: PEER, sequenceNumber: 2, timestamp: 160, payload: Buffer.alloc(160) });
    time.mono = 100;
    const peerSr = new RtcpSrPacket({ ssrc: PEER, senderInfo: new RtcpSenderInfo({ ntpTimestamp: ntpFromUnixMs(SR_SENT), rtpTimestamp: 1, packetCount: 2, octetCount: 320 }) });
    reporter.onRtcpReceived(peerSr.serialize());
    time.mono = 100 + 5250;
    const rr = parseCompoundRtcp(reporter.buildReport()).receiverReports[0];
    expect(rr.reports[0]).toMatchObject({ ssrc: PEER, lsr: 0xb7052000, dlsr: 0x00054000 });
  });

  it('sends RR instead of SR once nothing was sent for two reports', () => {
    const { reporter } = setup();
    reporter.onRtpSent(0, 160);
    expect(parseCompoundRtcp(reporter.buildReport()).senderReports).toHaveLength(1);
    expect(parseCompoundRtcp(reporter.buildReport()).senderReports).toHaveLength(1);
    const third = parseCompoundRtcp(reporter.buildReport());
    expect(third.senderReports).toHaveLength(0);
    expect(third.receiverReports[0].ssrc).toBe(OUR);
  });

  it('ends the leg with report, SDES and BYE, and notices the peer’s BYE', () => {
    const { reporter } = setup();
    const bye = parseCompoundRtcp(reporter.buildBye('call ended'));
    expect(bye.receiverReports).toHaveLength(1);
    expect(findCname(bye, OUR)).toBe('mcu@127.0.0.1');
    expect(bye.byes[0]).toMatchObject({ sources: [OUR], reason: 'call ended' });

    reporter.onRtpReceived({ ssrc: PEER, sequenceNumber: 1, timestamp: 0, payload: Buffer.alloc(1) });
    expect(reporter.stats().remoteLeft).toBe(false);
    reporter.onRtcpReceived(Buffer.from('80c90001' + '22222222' + '81cb0001' + '22222222', 'hex'));
    expect(reporter.stats().remoteLeft).toBe(true);
  });

  it('rejects malformed RTCP without changing its state', () => {
    const { reporter } = setup();
    expect(() => reporter.onRtcpReceived(Buffer.from('81c90007', 'hex'))).toThrow(PacketFormatError);
    expect(reporter.stats().remote).toBeUndefined();
  });
});
