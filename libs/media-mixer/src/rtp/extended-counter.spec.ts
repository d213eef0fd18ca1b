import { ExtendedCounter } from './extended-counter';

describe('ExtendedCounter', () => {
  it('extends 16-bit sequence numbers across the wrap at 65535', () => {
    const c = new ExtendedCounter(16);
    expect([65534, 65535, 0, 1].map((s) => c.extend(s))).toEqual([65534, 65535, 65536, 65537]);
    expect(c.max()).toBe(65537);
  });

  it('places a packet reordered across the wrap before it', () => {
    const c = new ExtendedCounter(16);
    expect([65535, 1, 0].map((s) => c.extend(s))).toEqual([65535, 65537, 65536]);
    expect(c.max()).toBe(65537);
  });

  it('gives negative values to packets older than the first one across a wrap', () => {
    const c = new ExtendedCounter(16);
    expect([2, 65535].map((s) => c.extend(s))).toEqual([2, -1]);
  });

  it('extends 32-bit timestamps across 2^32', () => {
    const c = new ExtendedCounter(32);
    const start = 2 ** 32 - 320;
    expect([start, start + 160, 0, 160].map((t) => c.extend(t))).toEqual([start, start + 160, 2 ** 32, 2 ** 32 + 160]);
    expect(c.extend(2 ** 32 - 160)).toBe(2 ** 32 - 160); // late packet from before the wrap
  });

  it('survives many wraps', () => {
    const c = new ExtendedCounter(16);
    let last = 0;
    for (let i = 0; i < 300000; i += 1000) last = c.extend(i % 65536);
    expect(last).toBe(299000);
  });

  it('peek() does not record and reset() forgets', () => {
    const c = new ExtendedCounter(16);
    c.extend(10);
    expect(c.peek(65535)).toBe(-1);
    expect(c.max()).toBe(10);
    c.reset();
    expect(c.max()).toBeUndefined();
    expect(c.extend(65535)).toBe(65535);
  });
});
