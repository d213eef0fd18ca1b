import { ActiveSpeakerDetector } from './active-speaker';

const LOUD = 8000;
const SOFT = 2000;
const NOISE = 50; // below the −45 dBFS gate (≈184)

function ticks(d: ActiveSpeakerDetector, n: number, levels: Record<string, number>): Array<string | null> {
  const changes: Array<string | null> = [];
  for (let i = 0; i < n; i++) {
    const c = d.update(new Map(Object.entries(levels)));
    if (c !== undefined) changes.push(c);
  }
  return changes;
}

describe('ActiveSpeakerDetector', () => {
  it('gives the floor after one second of dominance, not before', () => {
    const d = new ActiveSpeakerDetector({ frameMs: 20 });
    expect(ticks(d, 45, { a: LOUD, b: NOISE })).toEqual([]);
    expect(ticks(d, 10, { a: LOUD, b: NOISE })).toEqual(['a']);
    expect(d.speaker).toBe('a');
  });

  it('ignores noise below the gate', () => {
    const d = new ActiveSpeakerDetector({ frameMs: 20 });
    expect(ticks(d, 200, { a: NOISE, b: NOISE / 2 })).toEqual([]);
    expect(d.speaker).toBeNull();
  });

  it('does not switch for short interjections (hysteresis) and keeps the floor through silence', () => {
    const d = new ActiveSpeakerDetector({ frameMs: 20 });
    ticks(d, 60, { a: LOUD, b: 0 });
    expect(ticks(d, 30, { a: 0, b: LOUD })).toEqual([]); // 600 ms
    expect(ticks(d, 30, { a: LOUD, b: 0 })).toEqual([]);
    expect(ticks(d, 200, { a: 0, b: 0 })).toEqual([]);
    expect(d.speaker).toBe('a');
  });

  it('needs the margin over a current speaker who is still talking', () => {
    const d = new ActiveSpeakerDetector({ frameMs: 20 });
    ticks(d, 60, { a: LOUD, b: 0 });
    expect(ticks(d, 200, { a: LOUD, b: LOUD * 1.2 })).toEqual([]); // +1.6 dB < 3 dB
    expect(ticks(d, 70, { a: SOFT, b: LOUD })).toEqual(['b']);
  });

  it('counts a challenger across pauses but resets when someone else dominates', () => {
    const d = new ActiveSpeakerDetector({ frameMs: 20 });
    expect(ticks(d, 30, { a: LOUD, b: 0, c: 0 })).toEqual([]);
    ticks(d, 50, { a: 0, b: 0, c: 0 }); // pause: smoothed levels decay below the gate
    expect(ticks(d, 30, { a: LOUD, b: 0, c: 0 })).toEqual(['a']);
    expect(ticks(d, 40, { a: 0, b: LOUD, c: 0 })).toEqual([]);
    expect(ticks(d, 40, { a: 0, b: 0, c: LOUD })).toEqual([]);
    expect(ticks(d, 20, { a: 0, b: 0, c: LOUD })).toEqual(['c']);
  });

  it('empties the floor when the speaker leaves or is excluded (muted, held)', () => {
    const d = new ActiveSpeakerDetector({ frameMs: 20 });
    ticks(d, 60, { a: LOUD, b: 0 });
    expect(d.remove('b')).toBeUndefined();
    expect(d.remove('a')).toBeNull();
    expect(d.speaker).toBeNull();
    ticks(d, 60, { b: LOUD });
    expect(ticks(d, 1, {})).toEqual([null]); // b no longer listed
  });
});
