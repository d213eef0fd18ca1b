/**
 * Level measurements on 16-bit PCM: the amplitude of one frequency (Goertzel algorithm on a
 * Hann-windowed block) and the RMS level. Used for active-speaker detection and tone tests.
 */

/**
 * Amplitude of the sinusoidal component at `frequency` Hz, in sample units (a full-scale sine
 * gives ≈ 32767). Evaluates the windowed DTFT at exactly `frequency`, so it need not fall on an
 * FFT bin; resolution is about 2·sampleRate/length Hz.
 * @param pcm mono samples at `sampleRate` Hz, at least 2 samples.
 * @returns 0 for fewer than 2 samples.
 */
export function toneAmplitude(pcm: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const n = pcm.length;
  if (n < 2) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    windowSum += w;
    const s0 = w * pcm[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / windowSum;
}

/** Root-mean-square of the samples, in sample units; 0 for an empty array. */
export function rmsLevel(pcm: ArrayLike<number>): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
  return Math.sqrt(sum / pcm.length);
}

/** Ratio of two amplitudes in decibels (20·log10(a/b)); −Infinity when `a` is 0. */
export function amplitudeDb(a: number, b: number): number {
  return 20 * Math.log10(a / b);
}
