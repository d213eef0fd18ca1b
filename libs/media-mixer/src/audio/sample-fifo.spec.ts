import { SampleFifo } from './sample-fifo';

describe('SampleFifo', () => {
  it('returns samples in order across growth and compaction, padding underruns with zeros', () => {
    const fifo = new SampleFifo(16);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      const n = 7 + (round % 13);
      fifo.push(Int16Array.from({ length: n }, () => next++));
      const out = fifo.take(5 + (round % 11));
      for (const v of out) expect(v).toBe(expected++);
    }
    expect(fifo.length).toBe(next - expected);
    const rest = fifo.take(fifo.length + 3);
    expect(Array.from(rest.subarray(rest.length - 3))).toEqual([0, 0, 0]);
    expect(fifo.length).toBe(0);
  });

  it('discards the oldest samples and appends silence', () => {
    const fifo = new SampleFifo();
    fifo.push(Int16Array.from([1, 2, 3, 4]));
    fifo.discard(3);
    fifo.pushSilence(2);
    expect(Array.from(fifo.take(3))).toEqual([4, 0, 0]);
    fifo.push(Int16Array.from([5]));
    fifo.clear();
    expect(fifo.length).toBe(0);
  });
});
