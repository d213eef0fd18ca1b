import { ReceiverStatistics } from './receiver-statistics';

/** Feeds packets (sequence number, arrival ms, timestamp) and returns the verdicts. */
function feed(stats: ReceiverStatistics, packets: [number, number, number][]): string[] {
  return packets.map(([seq, at, ts]) => stats.onPacket(seq, ts, 160, at));
}

describe('ReceiverStatistics (RFC 3550 A.1, A.3, A.8)', () => {
  it('puts a new source on probation for one packet (MIN_SEQUENTIAL = 2)', () => {
    const s = new ReceiverStatistics(0xabc, 8000);
    expect(feed(s, [[1000, 0, 0], [1001, 20, 160], [1002, 40, 320]])).toEqual(['invalid', 'valid', 'valid']);
    expect(s.packetsReceived()).toBe(2);
    expect(s.extendedHighest()).toBe(1002);
  });

  it('computes loss and fraction lost per interval from a hand-worked sequence', () => {
    const s = new ReceiverStatistics(0xabc, 8000);
    // 1000 is the probation packet; base = 1001. 1004, 1005 lost; 1006 duplicated; 1007/1008 swapped.
    const seqs = [1000, 1001, 1002, 1003, 1006, 1006, 1008, 1007, 1009];
    feed(s, seqs.map((q, i) => [q, i * 20, (q - 1000) * 160]));
    // received = 8 (duplicate counted), expected = 1009 − 1001 + 1 = 9, lost = 1.
    expect(s.packetsReceived()).toBe(8);
    expect(s.expected()).toBe(9);
    expect(s.cumulativeLost()).toBe(1);
    const first = s.reportBlock(200);
    // lost_interval 1 of expected_interval 9: floor(256 / 9) = 28.
    expect(first).toMatchObject({ ssrc: 0xabc, fractionLost: 28, packetsLost: 1, highestSequence: 1009, lsr: 0, dlsr: 0 });
    // Next interval: 1010…1019 without 1015 → expected 10, received 9: floor(256 / 10) = 25.
    feed(s, [1010, 1011, 1012, 1013, 1014, 1016, 1017, 1018, 1019].map((q) => [q, 200 + (q - 1009) * 20, (q - 1000) * 160]));
    expect(s.reportBlock(400)).toMatchObject({ fractionLost: 25, packetsLost: 2, highestSequence: 1019 });
    // An interval without packets reports no loss.
    expect(s.reportBlock(600)).toMatchObject({ fractionLost: 0, packetsLost: 2 });
  });

  it('counts sequence cycles across the wrap in the extended highest sequence number', () => {
    const s = new ReceiverStatistics(1, 8000);
    feed(s, [65533, 65534, 65535, 0, 1].map((q, i) => [q, i * 20, i * 160]));
    expect(s.extendedHighest()).toBe(65536 + 1);
    expect(s.expected()).toBe(4); // base 65534 … 65537
    expect(s.reportBlock(100).highestSequence).toBe(65537);
  });

  it('encodes a negative cumulative loss (duplicates) as 24-bit two’s complement', () => {
    const s = new ReceiverStatistics(1, 8000);
    feed(s, [[10, 0, 0], [11, 20, 160], [12, 40, 320], [12, 41, 320], [12, 42, 320]]);
    expect(s.cumulativeLost()).toBe(-2);
    expect(s.reportBlock(100)).toMatchObject({ packetsLost: 0xfffffe, fractionLost: 0 });
  });

  it('estimates interarrival jitter per A.8 (hand-computed), across a timestamp wrap', () => {
    const s = new ReceiverStatistics(1, 8000);
    const ts0 = 0xffffff00;
    // Packets every 20 ms (160 units); the fourth arrives 5 ms late.
    // Transits after probation: 0, 0, 40, 0 → D = 0, 40, 40 → J = 0, 2.5, 2.5 + (40 − 2.5)/16 = 4.84375.
    feed(s, [[1, 0, ts0], [2, 20, ts0 + 160], [3, 40, ts0 + 320], [4, 65, (ts0 + 480) % 2 ** 32], [5, 80, (ts0 + 640) % 2 ** 32]]);
    expect(s.jitterUnits()).toBe(4);
    expect(s.jitterMs()).toBeCloseTo(4.84375 / 8, 10);
    expect(s.reportBlock(100).jitter).toBe(4);
  });

  it('reports LSR and DLSR from the last SR (§6.4.1)', () => {
    const s = new ReceiverStatistics(1, 8000);
    feed(s, [[1, 0, 0], [2, 20, 160]]);
    s.onSenderReport(0xb7052000, 1000);
    expect(s.reportBlock(1000 + 5250)).toMatchObject({ lsr: 0xb7052000, dlsr: 0x00054000 });
  });

  it('ignores a lone jump beyond MAX_DROPOUT and restarts when the next packet confirms it', () => {
    const s = new ReceiverStatistics(1, 8000);
    feed(s, [[100, 0, 0], [101, 20, 160], [102, 40, 320]]);
    expect(feed(s, [[30000, 60, 480]])).toEqual(['invalid']);
    expect(feed(s, [[103, 80, 640]])).toEqual(['valid']);
    expect(feed(s, [[40000, 100, 800], [40001, 120, 960]])).toEqual(['invalid', 'valid']);
    expect(s.extendedHighest()).toBe(40001);
    expect(s.packetsReceived()).toBe(1);
  });
});
