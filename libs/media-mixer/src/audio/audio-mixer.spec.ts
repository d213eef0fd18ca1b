import { InvalidArgumentError } from '../errors';
import { AudioMixer } from './audio-mixer';

const N = 320;
const constant = (v: number) => new Int16Array(N).fill(v);

function room(...ids: string[]) {
  const mixer = new AudioMixer({ sampleRate: 16000, frameSamples: N });
  ids.forEach((id) => mixer.addParticipant(id));
  return mixer;
}

describe('AudioMixer', () => {
  it('gives each participant the sum of all the others (mix-minus)', () => {
    const m = room('a', 'b', 'c');
    m.contribute('a', constant(100));
    m.contribute('b', constant(20));
    m.contribute('c', constant(3));
    const out = m.mix();
    expect(out.get('a')![0]).toBe(23);
    expect(out.get('b')![0]).toBe(103);
    expect(out.get('c')![0]).toBe(120);
  });

  it('never returns a participant’s own voice, even alone', () => {
    const m = room('a');
    m.contribute('a', constant(5000));
    expect(m.mix().get('a')).toEqual(new Int16Array(N));
  });

  it('mixes sample by sample (not just constants)', () => {
    const m = room('a', 'b', 'c');
    const ramp = Int16Array.from({ length: N }, (_, i) => i);
    m.contribute('a', ramp);
    m.contribute('b', Int16Array.from({ length: N }, (_, i) => -2 * i));
    const c = m.mix().get('c')!;
    expect(c[0]).toBe(0);
    expect(c[10]).toBe(-10);
    expect(c[319]).toBe(-319);
  });

  it('soft-clips loud sums instead of wrapping around', () => {
    const m = room('a', 'b', 'c');
    m.contribute('a', constant(30000));
    m.contribute('b', constant(30000));
    m.contribute('c', constant(-30000));
    const out = m.mix();
    expect(out.get('c')![0]).toBeGreaterThan(32000); // 60000 compressed
    expect(out.get('c')![0]).toBeLessThanOrEqual(32767);
    expect(out.get('a')![0]).toBe(0); // 30000 − 30000
  });

  it('removes a muted participant from everyone’s mix on the next tick, and restores it', () => {
    const m = room('a', 'b', 'c');
    const tick = () => {
      m.contribute('a', constant(100));
      m.contribute('b', constant(20));
      m.contribute('c', constant(3));
      return m.mix();
    };
    m.setMuted('a', true);
    let out = tick();
    expect(out.get('b')![0]).toBe(3);
    expect(out.get('c')![0]).toBe(20);
    expect(out.get('a')![0]).toBe(23); // a muted participant still hears the room
    m.setMuted('a', false);
    out = tick();
    expect(out.get('b')![0]).toBe(103);
  });

  it('neither mixes from nor sends to a participant on hold', () => {
    const m = room('a', 'b', 'c');
    m.setHeld('b', true);
    m.contribute('a', constant(100));
    m.contribute('b', constant(20));
    m.contribute('c', constant(3));
    const out = m.mix();
    expect(out.has('b')).toBe(false);
    expect(out.get('a')![0]).toBe(3);
    expect(out.get('c')![0]).toBe(100);
  });

  it('treats a participant without a contribution this tick as silent and clears contributions', () => {
    const m = room('a', 'b');
    m.contribute('a', constant(7));
    expect(m.mix().get('b')![0]).toBe(7);
    expect(m.mix().get('b')![0]).toBe(0);
  });

  it('reports input levels, muted or not', () => {
    const m = room('a', 'b');
    m.setMuted('a', true);
    m.contribute('a', constant(1000));
    m.mix();
    expect(m.levels()).toEqual(new Map([['a', 1000], ['b', 0]]));
  });

  it('adds and removes participants', () => {
    const m = room('a', 'b');
    m.addParticipant('a');
    expect(m.participantIds()).toEqual(['a', 'b']);
    m.removeParticipant('a');
    m.removeParticipant('zzz');
    expect([...m.mix().keys()]).toEqual(['b']);
  });

  it('rejects bad frames, unknown participants and bad formats', () => {
    const m = room('a');
    expect(() => m.contribute('a', new Int16Array(10))).toThrow(InvalidArgumentError);
    expect(() => m.contribute('x', constant(0))).toThrow(InvalidArgumentError);
    expect(() => m.setMuted('x', true)).toThrow(InvalidArgumentError);
    expect(() => new AudioMixer({ sampleRate: 16000, frameSamples: 0 })).toThrow(InvalidArgumentError);
    expect(() => new AudioMixer({ sampleRate: 16000, frameSamples: 320, knee: 40000 })).toThrow(InvalidArgumentError);
  });
});
