import { DEFAULT_KNEE, softClip } from './soft-clipper';

const clip = (values: number[], knee?: number) => Array.from(softClip(Float64Array.from(values), new Int16Array(values.length), knee));

describe('softClip', () => {
  it('passes samples below the knee unchanged', () => {
    expect(clip([0, 1, -1, 1000, -20000, DEFAULT_KNEE, -DEFAULT_KNEE])).toEqual([0, 1, -1, 1000, -20000, DEFAULT_KNEE, -DEFAULT_KNEE]);
  });

  it('compresses above the knee, never reaching beyond full scale, symmetric and monotonic', () => {
    const inputs = Array.from({ length: 200 }, (_, i) => DEFAULT_KNEE + i * 2000);
    const out = clip(inputs);
    for (let i = 1; i < out.length; i++) expect(out[i]).toBeGreaterThanOrEqual(out[i - 1]);
    expect(Math.max(...out)).toBeLessThanOrEqual(32767);
    expect(out[out.length - 1]).toBeGreaterThan(32700);
    expect(clip(inputs.map((x) => -x))).toEqual(out.map((y) => -y));
  });

  it('has slope 1 at the knee (no audible kink)', () => {
    const [a, b] = clip([DEFAULT_KNEE + 100, DEFAULT_KNEE + 200]);
    expect(b - a).toBeGreaterThan(98);
    expect(b - a).toBeLessThanOrEqual(100);
  });

  it('maps the sum of two full-scale signals into range', () => {
    const [hi, lo] = clip([65534, -65536]);
    expect(hi).toBeGreaterThan(32000);
    expect(lo).toBeLessThan(-32000);
    expect(hi).toBeLessThanOrEqual(32767);
    expect(lo).toBeGreaterThanOrEqual(-32767);
  });
});
