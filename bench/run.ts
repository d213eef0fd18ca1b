/**
 * Benchmark runner: `npm run bench -- <name>` runs one group, `npm run bench` runs all of them, an
 * unknown name prints the list. Groups are loaded lazily so that a missing optional module (or one
 * that fails to load) is reported by name instead of breaking the others.
 *
 * Groups:
 * - `sip`: SIP parser throughput, ours against sip.js (bench/sip-parser.bench.ts, when present), then
 *   the sustained call rate of the MCU against SIPp's UAS (bench/sip-load.bench.ts, ~10 minutes).
 * - `audio`: the media plane's unit costs (audio-units.bench.ts) and the engine under load (audio.bench.ts).
 * - `per`: aligned-PER codec throughput of the H.323 stack (per.bench.ts).
 * - `video`: a 4-camera H.264 room through the built MCU: its CPU with its ffmpeg children against
 *   one plain ffmpeg command doing the same work, and the glass-to-glass delay it adds (video.bench.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One benchmark step: a module in bench/ and the function it exports. */
interface BenchStep {
  file: string;
  exportName: string;
}

const GROUPS: Record<string, { description: string; steps: BenchStep[] }> = {
  sip: {
    description: 'SIP parser+serializer throughput vs sip.js; sustained call rate of the MCU vs SIPp UAS',
    steps: [
      { file: 'sip-parser.bench.ts', exportName: 'runSipParserBench' },
      { file: 'sip-load.bench.ts', exportName: 'runSipLoadBench' },
    ],
  },
  audio: {
    description: 'media plane: codec/resampler/jitter-buffer/mixer unit costs; engine CPU and timing for rooms of 10–200',
    steps: [
      { file: 'audio-units.bench.ts', exportName: 'runAudioUnitsBench' },
      { file: 'audio.bench.ts', exportName: 'runAudioBench' },
    ],
  },
  per: {
    description: 'H.323 aligned-PER decode and encode operations per second on reference-capture PDUs',
    steps: [{ file: 'per.bench.ts', exportName: 'runPerBench' }],
  },
  video: {
    description: '4-camera 640x360@25 H.264 room: MCU CPU (with ffmpeg children) vs one plain ffmpeg command; added glass-to-glass delay',
    steps: [{ file: 'video.bench.ts', exportName: 'runVideoBench' }],
  },
};

/** Runs every step of `group`; returns false when one failed. Missing optional modules are skipped. */
async function runGroup(name: string): Promise<boolean> {
  let ok = true;
  for (const step of GROUPS[name].steps) {
    const file = path.join(__dirname, step.file);
    if (!fs.existsSync(file)) {
      console.log(`[${name}] ${step.file} not present, skipped`);
      continue;
    }
    console.log(`\n=== ${name}: ${step.file}`);
    try {
      const mod = (await import(file)) as Record<string, unknown>;
      const run = mod[step.exportName];
      if (typeof run !== 'function') throw new Error(`${step.file} does not export ${step.exportName}()`);
      await (run as () => Promise<void>)();
    } catch (err) {
      ok = false;
      console.error(`[${name}] ${step.file} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return ok;
}

async function main(argv: string[]): Promise<number> {
  const names = argv.length > 0 ? argv : Object.keys(GROUPS);
  const unknown = names.filter((n) => !(n in GROUPS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
    console.error('available: ');
    for (const [name, group] of Object.entries(GROUPS)) console.error(`  ${name.padEnd(8)} ${group.description}`);
    console.error('usage: npm run bench [-- <name> …]');
    return 2;
  }
  let ok = true;
  for (const name of names) ok = (await runGroup(name)) && ok;
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
