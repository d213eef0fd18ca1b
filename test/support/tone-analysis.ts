/**
 * Tone measurements on recorded audio for the end-to-end media tests: WAV (PCM s16le) reading and a
 * Goertzel filter (the DFT at one frequency) over a Hann-windowed stretch of samples.
 */
import * as fs from 'node:fs';

/** Mono 16-bit PCM read from a WAV file (channels averaged). */
export interface PcmRecording {
  /** Samples per second. */
  sampleRate: number;
  samples: Int16Array;
}

/**
 * Reads a RIFF/WAVE file of 16-bit PCM. The `data` chunk is read up to the end of the file whatever
 * its declared size, so a file still being written (size fields not yet updated) can be read.
 *
 * @throws Error for anything but 16-bit PCM WAV
 */
export function readWav(file: string): PcmRecording {
  const buf = fs.readFileSync(file);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file} is not a RIFF/WAVE file`);
  }
  let offset = 12;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > buf.length) break;
      const format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      if ((format !== 1 && format !== 0xfffe) || bits !== 16) throw new Error(`${file}: only 16-bit PCM is read (format ${format}, ${bits} bits)`);
    } else if (id === 'data') {
      if (channels === 0) throw new Error(`${file}: data chunk before fmt chunk`);
      const frames = Math.floor((buf.length - body) / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += buf.readInt16LE(body + 2 * (i * channels + c));
        samples[i] = Math.round(sum / channels);
      }
      return { sampleRate, samples };
    }
    offset = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

/**
 * Amplitude (in sample units; a full-scale sine ≈ 32767) of the component at `frequency` Hz in
 * samples `[from, to)`, by the Goertzel algorithm over a Hann window. Bounds are clamped to the
 * recording; fewer than 2 samples give 0.
 */
export function toneLevel(rec: PcmRecording, frequency: number, from: number, to: number): number {
  const start = Math.max(0, Math.floor(from));
  const end = Math.min(rec.samples.length, Math.floor(to));
  const n = end - start;
  if (n < 2) return 0;
  const w = (2 * Math.PI * frequency) / rec.sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const s0 = rec.samples[start + i] * hann + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // The Hann window's coherent gain is 1/2: a sine of amplitude A gives |X| = A·n/4.
  return (4 * Math.sqrt(Math.max(0, power))) / n;
}

/** `toneLevel` over a time window in ms from the start of the recording. */
export function toneLevelAt(rec: PcmRecording, frequency: number, fromMs: number, toMs: number): number {
  return toneLevel(rec, frequency, (fromMs * rec.sampleRate) / 1000, (toMs * rec.sampleRate) / 1000);
}

/** Duration of the recording, ms. */
export function durationMs(rec: PcmRecording): number {
  return (rec.samples.length * 1000) / rec.sampleRate;
}

/** 20·log10(a/b), with floors so that silence gives a large finite number. */
export function ratioDb(a: number, b: number): number {
  return 20 * Math.log10(Math.max(a, 1e-3) / Math.max(b, 1e-3));
}
