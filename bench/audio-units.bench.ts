/**
 * Micro-benchmark of the media plane's building blocks: cost per 20 ms frame of each codec,
 * resampler and jitter-buffer step, and of one mixer tick per participant count. Prints figures
 * only. Exported as `runAudioUnitsBench()` for bench/run.ts; also runs standalone with
 * `node -r @swc-node/register bench/audio-units.bench.ts`.
 */
import { AudioMixer, G722Codec, JitterBuffer, PcmaCodec, PcmuCodec, Resampler } from '@mcu/media-mixer';

const ITERATIONS = 5000;

function tone(rate: number, samples: number): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)));
}

/** Mean microseconds per call of `fn`, after a warm-up. */
function measure(fn: () => void, iterations = ITERATIONS): number {
  for (let i = 0; i < iterations / 10; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

function row(name: string, micros: number): void {
  // Share of one core spent per stream: micros per 20 ms frame / 20 000 µs.
  console.log(`${name.padEnd(40)} ${micros.toFixed(1).padStart(8)} µs/frame  ${((micros / 20000) * 100).toFixed(3).padStart(7)} % core/stream`);
}

/** Prints the per-frame cost of each building block. */
export async function runAudioUnitsBench(): Promise<void> {
  const nb = tone(8000, 160);
  const wb = tone(16000, 320);
  for (const [name, codec, pcm] of [
    ['PCMU', new PcmuCodec(), nb],
    ['PCMA', new PcmaCodec(), nb],
    ['G.722', new G722Codec(), wb],
  ] as const) {
    const payload = codec.encode(pcm);
    row(`${name} encode`, measure(() => codec.encode(pcm)));
    row(`${name} decode`, measure(() => codec.decode(payload)));
  }
  for (const [from, to] of [
    [8000, 16000],
    [16000, 8000],
    [48000, 16000],
    [16000, 48000],
  ]) {
    const r = new Resampler(from, to);
    const input = tone(from, from / 50);
    row(`resample ${from / 1000}k → ${to / 1000}k`, measure(() => r.process(input)));
  }
  let now = 0;
  const jb = new JitterBuffer({ clockRate: 8000, clock: () => now });
  let seq = 0;
  const payload = Buffer.alloc(160);
  row('jitter buffer push + pull', measure(() => {
    jb.push({ ssrc: 1, sequenceNumber: seq & 0xffff, timestamp: (seq * 160) % 2 ** 32, marker: false, payloadType: 0, payload });
    seq++;
    now += 20;
    jb.pull();
  }));
  for (const n of [10, 50, 100, 200]) {
    const mixer = new AudioMixer({ sampleRate: 16000, frameSamples: 320 });
    for (let i = 0; i < n; i++) mixer.addParticipant(`p${i}`);
    const tick = measure(() => {
      for (let i = 0; i < n; i++) mixer.contribute(`p${i}`, wb);
      mixer.mix();
    }, 500);
    row(`mixer tick, ${n} talking, per participant`, tick / n);
  }
}

if (require.main === module) void runAudioUnitsBench();
