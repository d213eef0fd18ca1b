import { TelephoneEvent } from '../rtp/telephone-event';
import { DtmfReceiver, type ReceivedDtmf } from './dtmf-receiver';

const payload = (event: number, end: boolean, duration: number): Buffer => new TelephoneEvent(event, end, 10, duration).serialize();

describe('DtmfReceiver (RFC 4733 §2.5.2)', () => {
  let digits: ReceivedDtmf[];
  let rx: DtmfReceiver;
  beforeEach(() => {
    digits = [];
    rx = new DtmfReceiver({ clockRate: 8000, onDigit: (d) => digits.push(d) });
  });

  it('emits one digit for start, updates and the end packet sent three times', () => {
    const ts = 123456;
    expect(rx.onPacket(ts, payload(5, false, 160), 0)).toBe('started');
    expect(rx.onPacket(ts, payload(5, false, 320), 20)).toBe('updated');
    expect(rx.onPacket(ts, payload(5, false, 480), 40)).toBe('updated');
    expect(rx.onPacket(ts, payload(5, true, 640), 60)).toBe('ended');
    expect(rx.onPacket(ts, payload(5, true, 640), 80)).toBe('duplicate');
    expect(rx.onPacket(ts, payload(5, true, 640), 100)).toBe('duplicate');
    expect(digits).toEqual([{ digit: '5', durationMs: 80 }]);
  });

  it('keeps the longest duration when updates arrive reordered, and ignores late updates after the end', () => {
    rx.onPacket(1000, payload(10, false, 320), 0);
    rx.onPacket(1000, payload(10, false, 160), 1);
    rx.onPacket(1000, payload(10, true, 800), 2);
    expect(rx.onPacket(1000, payload(10, false, 480), 3)).toBe('duplicate');
    expect(digits).toEqual([{ digit: '*', durationMs: 100 }]);
  });

  it('ends an event whose end packets were all lost after the timeout', () => {
    rx.onPacket(5, payload(1, false, 160), 0);
    rx.onPacket(5, payload(1, false, 320), 20);
    rx.poll(400);
    expect(digits).toEqual([]);
    rx.poll(521);
    expect(digits).toEqual([{ digit: '1', durationMs: 40 }]);
    expect(rx.onPacket(5, payload(1, true, 400), 530)).toBe('duplicate');
    expect(digits).toHaveLength(1);
  });

  it('ends the previous event when the next one starts before its end packets', () => {
    rx.onPacket(8000, payload(2, false, 160), 0);
    rx.onPacket(9600, payload(2, false, 160), 200); // same key pressed again: a new timestamp
    rx.onPacket(9600, payload(2, true, 480), 240);
    expect(digits.map((d) => d.digit)).toEqual(['2', '2']);
  });

  it('joins the segments of a long event into one digit (§2.5.1.3)', () => {
    rx.onPacket(0, payload(0, false, 65000), 0);
    rx.onPacket(0, payload(0, false, 65535), 10);
    expect(rx.onPacket(65535, payload(0, false, 1000), 20)).toBe('updated');
    expect(rx.onPacket(65535, payload(0, true, 8000), 30)).toBe('ended');
    expect(digits).toEqual([{ digit: '0', durationMs: Math.round(((65535 + 8000) * 1000) / 8000) }]);
  });

  it('handles timestamps across the 32-bit wrap and ignores non-DTMF events and malformed payloads', () => {
    rx.onPacket(0xffffff00, payload(9, true, 160), 0);
    expect(rx.onPacket(0, payload(16, true, 160), 1)).toBe('ignored');
    expect(rx.onPacket(7, Buffer.from([1, 2, 3]), 2)).toBe('malformed');
    expect(digits).toEqual([{ digit: '9', durationMs: 20 }]);
    expect(rx.digits).toBe(1);
  });
});
