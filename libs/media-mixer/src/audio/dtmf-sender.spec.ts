import { InvalidArgumentError } from '../errors';
import { TelephoneEvent } from '../rtp/telephone-event';
import { DtmfSender } from './dtmf-sender';

describe('DtmfSender (RFC 4733 §2.5.1)', () => {
  it('takes slots from the start timestamp, marks the first packet and repeats the end packet three times', () => {
    const tx = new DtmfSender({ clockRate: 8000, gapMs: 40 });
    tx.enqueue('#', 100);
    const slots = Array.from({ length: 12 }, (_, i) => tx.next(1000 + i * 160, 160));
    const packets = slots.filter((p) => p !== undefined);
    expect(packets).toHaveLength(1 + 3 + 3); // 100 ms at 20 ms: 160,320,480,640,800(end)×3
    for (const p of packets) expect(p.timestamp).toBe(1000);
    expect(packets.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    const events = packets.map((p) => TelephoneEvent.parse(p.payload)[0]);
    expect(events.map((e) => e.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(events.map((e) => e.end)).toEqual([false, false, false, false, true, true, true]);
    expect(events.every((e) => e.event === 11 && e.volume === 10)).toBe(true);
    expect(slots.slice(7)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(tx.sent).toBe(1);
    expect(tx.busy).toBe(false);
  });

  it('separates queued digits by the gap and starts each at its own slot timestamp', () => {
    const tx = new DtmfSender({ clockRate: 8000, gapMs: 40 });
    tx.enqueue('1', 40);
    tx.enqueue('2', 40);
    const starts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const p = tx.next(i * 160, 160);
      if (p?.marker) starts.push(p.timestamp);
    }
    // '1': slots 0–3 (2 updates… end×3 from slot 1), gap of 2 slots (4, 5), '2' from slot 6.
    expect(starts).toEqual([0, 6 * 160]);
    expect(tx.sent).toBe(2);
  });

  it('validates digits and durations against the 16-bit duration field', () => {
    const tx = new DtmfSender({ clockRate: 48000 });
    expect(tx.maxDurationMs).toBe(1365);
    expect(() => tx.enqueue('x', 100)).toThrow(InvalidArgumentError);
    expect(() => tx.enqueue('1', 39)).toThrow(InvalidArgumentError);
    expect(() => tx.enqueue('1', 1366)).toThrow(InvalidArgumentError);
    tx.enqueue('1', 1365);
    tx.reset();
    expect(tx.busy).toBe(false);
  });
});
