import { InvalidArgumentError } from '../errors';
import { KeyframeLimiter } from './keyframe-limiter';
import { KeyframeRequester } from './keyframe-requester';

function fakeClock(start = 1000) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

describe('KeyframeRequester', () => {
  it('asks at once, repeats with a doubling interval up to the ceiling, keeps the FIR number', () => {
    const clock = fakeClock();
    const r = new KeyframeRequester({ clock: clock.read, retryIntervalMs: 500, maxRetryIntervalMs: 2000 });
    expect(r.poll(true)).toEqual({ firSequenceNumber: 1, repeat: false });
    expect(r.state).toBe('requesting');
    const sentAt: number[] = [];
    for (let t = 1000; t <= 7000; t += 100) {
      clock.now = t;
      if (r.poll(true)) sentAt.push(t);
    }
    expect(sentAt).toEqual([1500, 2500, 4500, 6500]);
    clock.now = 8500;
    expect(r.poll(true)).toEqual({ firSequenceNumber: 1, repeat: true });
    expect(r.stats).toEqual({ requests: 1, sent: 6 });
  });

  it('stops when the stream decodes and numbers the next request anew', () => {
    const clock = fakeClock();
    const r = new KeyframeRequester({ clock: clock.read });
    r.poll(true);
    clock.now += 200;
    expect(r.poll(false)).toBeUndefined();
    expect(r.state).toBe('idle');
    clock.now += 5000;
    expect(r.poll(false)).toBeUndefined();
    expect(r.poll(true)).toEqual({ firSequenceNumber: 2, repeat: false });
  });

  it('wraps the FIR sequence number at 256', () => {
    const r = new KeyframeRequester({ clock: () => 0 });
    let last = 0;
    for (let i = 0; i < 256; i++) {
      last = r.poll(true)?.firSequenceNumber ?? -1;
      r.poll(false);
    }
    expect(last).toBe(0);
  });

  it('rejects impossible intervals', () => {
    expect(() => new KeyframeRequester({ clock: () => 0, retryIntervalMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => new KeyframeRequester({ clock: () => 0, retryIntervalMs: 500, maxRetryIntervalMs: 100 })).toThrow(InvalidArgumentError);
  });
});

describe('KeyframeLimiter', () => {
  it('lets the first request through at once and defers the next within one second', () => {
    const clock = fakeClock();
    const l = new KeyframeLimiter({ clock: clock.read });
    expect(l.request()).toBe(true);
    clock.now += 300;
    expect(l.request()).toBe(false);
    expect(l.request()).toBe(false);
    expect(l.pendingDueAt).toBe(2000);
    clock.now = 1999;
    expect(l.poll()).toBe(false);
    clock.now = 2000;
    expect(l.poll()).toBe(true);
    expect(l.poll()).toBe(false);
    expect(l.pendingDueAt).toBeUndefined();
    expect(l.stats).toEqual({ requested: 3, forced: 2 });
  });

  it('never forces more than one key frame per second under a flood of requests', () => {
    const clock = fakeClock(0);
    const l = new KeyframeLimiter({ clock: clock.read });
    const forcedAt: number[] = [];
    for (let t = 0; t < 5000; t += 20) {
      clock.now = t;
      if (l.request()) forcedAt.push(t);
      if (l.poll()) forcedAt.push(t);
    }
    expect(forcedAt).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('counts a key frame the encoder sent on its own as serving pending requests', () => {
    const clock = fakeClock();
    const l = new KeyframeLimiter({ clock: clock.read });
    l.request();
    clock.now += 500;
    expect(l.request()).toBe(false);
    l.keyframeSent();
    clock.now += 600;
    expect(l.poll()).toBe(false);
    expect(l.request()).toBe(false);
    clock.now += 400;
    expect(l.poll()).toBe(true);
  });

  it('rejects a negative interval', () => {
    expect(() => new KeyframeLimiter({ clock: () => 0, minIntervalMs: -1 })).toThrow(InvalidArgumentError);
  });
});
