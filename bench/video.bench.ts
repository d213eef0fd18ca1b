/**
 * Video benchmark (`npm run bench -- video`): a room of four 640×360 H.264 cameras at 25 frames/s
 * and one viewer receiving their composite (auto layout, 2×2), against the built MCU
 * (dist/apps/mcu/src/main.js: run `npm run build` first). Prints figures only, asserts nothing.
 *
 * (a) The MCU's CPU over 30 s of the running room: the MCU process and every descendant (its
 *     ffmpeg decoders and encoders), `utime + stime` plus the time of children reaped inside the
 *     window, read from /proc (bench/support/proc-cpu.ts), as a share of one core.
 * (b) The same work done by one plain ffmpeg command (`compositeArgs`: decode four inputs, compose
 *     the same tiles with the same labels, encode with the MCU's encoder settings and default
 *     bitrate), fed four pre-generated 30 s H.264 files of the same colour sources (`-re`, one
 *     decoder thread each like the MCU's decoders), measured the same way; and the ratio MCU/plain.
 * (c) Glass-to-glass delay: one camera (bench/support/video-switching-camera.ts) switches colour
 *     at moments the benchmark knows (the first packet of the first picture of the new colour
 *     leaving the camera); the viewer decodes the composite and the time until the camera's tile
 *     shows the new colour is taken. The same stream is also sent straight to a second receiver
 *     with the same decoder: the difference is the delay the MCU adds. Median over the switches.
 *
 * The cameras and the viewer are the end-to-end tools (test/support/video-*.ts: SIPp calls with a
 * video m-line, ffmpeg colour senders, a receiver that depacketizes and decodes with ffmpeg). They
 * run during the CPU window but outside the measured tree. Every child is stopped and every port
 * released at the end, also after a failure.
 *
 * `VIDEO_BENCH_SECONDS` changes the length of both windows (default 30); `VIDEO_BENCH_LOG_LEVEL`
 * the MCU's log level (default `warn`; the log is under test/.artifacts/).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { compositeArgs, computeLayout, encoderBitrateBps, findFontFile, FlvAvcReader, Tile } from '@mcu/media-mixer';
import { killAllChildren } from '../test/support/child-registry';
import { McuProcess, MCU_ENTRY } from '../test/support/mcu-process';
import { LOOPBACK } from '../test/support/ports';
import { McuRestClient } from '../test/support/rest-client';
import { delay } from '../test/support/wait';
import { FfmpegChild, TEST_FFMPEG } from '../test/support/video-ffmpeg';
import { expectedTiles, ExpectedView } from '../test/support/video-layout-check';
import { ColourName, COLOURS, colourDistance, ffmpegColour, formatRgb, insideOf, meanRgb, PixelRect, RgbPicture, scaleRect } from '../test/support/video-picture';
import { DecodedPicture, VideoReceiver } from '../test/support/video-receiver';
import { ColourSender } from '../test/support/video-sender';
import { Viewer } from '../test/support/video-viewer';
import { commandLine, ProcStat, processTree, TreeCpu, TreeCpuMeter } from './support/proc-cpu';
import { SwitchingCamera } from './support/video-switching-camera';

const WIDTH = 640;
const HEIGHT = 360;
const FRAME_RATE = 25;
/** Length of each CPU window, s. */
const SECONDS = Math.max(5, Number(process.env.VIDEO_BENCH_SECONDS) || 30);
/** Time the plain command runs before its window opens (start-up and probing left out), ms. */
const PLAIN_WARMUP_MS = 3000;
/** Longest wait for the viewer's first complete composite, ms. */
const FIRST_COMPOSITE_MS = 20_000;
/** Longest wait for a switch to show, ms (a switch that takes longer is reported as not seen). */
const SWITCH_SHOW_MS = 5000;
/** Largest per-channel distance for "the tile shows this colour" (0–255). */
const COLOUR_TOLERANCE = 40;

/** The fixed cameras and the switching one (its two colours). */
const FIXED: readonly ColourName[] = ['red', 'green', 'blue'];
const SWITCHING: readonly [ColourName, ColourName] = ['yellow', 'blue'];

/** What part (a)/(c) measured, or why not. */
interface RoomResult {
  cpu?: TreeCpu;
  viaMcuMs: number[];
  directMs: number[];
  addedMs: number[];
  switchesTried: number;
  /** Bitrate of the MCU's H.264 encoder (its ffmpeg `-b:v`), bit/s, when one was found. */
  encoderBitrateBps?: number;
  /** Composite pictures the viewer decoded per second in the window. */
  viewerFps?: number;
  problems: string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function describeCpu(cpu: TreeCpu): string {
  const parts = [...cpu.byCommand.entries()]
    .sort((a, b) => b[1].cpuSeconds - a[1].cpuSeconds)
    .map(([comm, v]) => `${comm} ×${v.processes}${v.runningAtEnd !== v.processes ? ` (${v.runningAtEnd} at the end)` : ''}: ${v.cpuSeconds.toFixed(2)} s`)
    .join(', ');
  return `${cpu.cpuSeconds.toFixed(2)} s CPU in ${cpu.wallSeconds.toFixed(1)} s = ${cpu.percentOfCore.toFixed(1)} % of one core (${parts})`;
}

function run(file: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

/** The viewer's tiles: cameras in join order, the viewer last, no self view (the MCU's default). */
function roomView(cameraIds: readonly string[], viewerId: string): ExpectedView {
  return {
    layout: 'auto',
    width: WIDTH,
    height: HEIGHT,
    participants: [...cameraIds.map((id) => ({ id, colour: 'red' as ColourName })), { id: viewerId }],
    viewerId,
  };
}

function shows(picture: RgbPicture, rect: PixelRect, colour: ColourName): boolean {
  const inside = scaleRect(insideOf(rect), WIDTH, HEIGHT, picture.width, picture.height);
  return colourDistance(meanRgb(picture, inside, 4), COLOURS[colour]) <= COLOUR_TOLERANCE;
}

/** Names the MCU's children by role for the CPU breakdown: decoder, encoder, label, or the command. */
function ffmpegRole(p: ProcStat): string {
  if (p.comm !== 'ffmpeg') return p.comm;
  const args = commandLine(p.pid) ?? [];
  const input = args.indexOf('-i');
  if (args.includes('lavfi')) return 'ffmpeg label';
  if (args[input + 1] === 'pipe:0' && args.slice(0, input).includes('rawvideo')) return 'ffmpeg encoder';
  if (args[input + 1] === 'pipe:0') return 'ffmpeg decoder';
  return 'ffmpeg other';
}

/**
 * The `-b:v` of the MCU's H.264 encoder (an ffmpeg child reading raw pictures and writing libx264),
 * in bit/s; undefined when none runs.
 */
function mcuEncoderBitrate(mcuPid: number): number | undefined {
  for (const p of processTree(mcuPid)) {
    if (p.comm !== 'ffmpeg') continue;
    const args = commandLine(p.pid) ?? [];
    const codec = args.indexOf('-c:v');
    const rate = args.indexOf('-b:v');
    if (codec < 0 || args[codec + 1] !== 'libx264' || rate < 0 || !args.includes('rawvideo')) continue;
    const match = /^(\d+(?:\.\d+)?)([kM]?)$/.exec(args[rate + 1] ?? '');
    if (match) return Number(match[1]) * (match[2] === 'k' ? 1e3 : match[2] === 'M' ? 1e6 : 1);
  }
  return undefined;
}

/**
 * (b): one ffmpeg decoding, composing and encoding four pre-generated colour files, encoding at
 * `bitrateBps` (the MCU's encoder bitrate when known).
 */
async function measurePlain(scratch: string, bitrateBps: number): Promise<{ cpu: TreeCpu; line: string }> {
  const colours: ColourName[] = [...FIXED, SWITCHING[0]];
  const files: string[] = [];
  for (const colour of colours) {
    const file = path.join(scratch, `${colour}.mkv`);
    // The cameras' settings (test/support/video-sender.ts colourSenderArgs), long enough for warm-up and window.
    await run(TEST_FFMPEG, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi',
      '-i', `color=c=${ffmpegColour(COLOURS[colour])}:s=${WIDTH}x${HEIGHT}:r=${FRAME_RATE}`,
      '-t', String(SECONDS + PLAIN_WARMUP_MS / 1000 + 5),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-bf', '0',
      '-pix_fmt', 'yuv420p', '-g', String(FRAME_RATE), '-b:v', '300k', '-y', file,
    ], 120_000);
    files.push(file);
  }
  const ids = colours.map((c) => `cam-${c}`);
  const tiles: Tile[] = computeLayout({
    layout: 'auto',
    width: WIDTH,
    height: HEIGHT,
    participants: [...ids.map((id) => ({ id, name: id, hasVideo: true })), { id: 'viewer', name: 'viewer', hasVideo: false }],
    selfView: false,
    viewerId: 'viewer',
  });
  const fontFile = await findFontFile();
  const args = compositeArgs({
    inputs: files.map((f) => ['-threads', '1', '-re', '-i', f]),
    graph: { width: WIDTH, height: HEIGHT, frameRate: FRAME_RATE, tiles, inputs: new Map(ids.map((id, i) => [id, i])), names: new Map(ids.map((id) => [id, id])), fontFile },
    encoder: { codec: 'h264', bitrateBps },
  });
  const child = FfmpegChild.start({ label: 'bench-video-plain', args, stdoutPipe: true });
  let octets = 0;
  let pictures = 0;
  const flv = new FlvAvcReader();
  child.child.stdout?.on('data', (chunk: Buffer) => {
    octets += chunk.length;
    pictures += flv.push(chunk).length;
  });
  try {
    await delay(PLAIN_WARMUP_MS);
    if (!child.running || child.child.pid === undefined) throw new Error(`the plain ffmpeg command ended early: ${child.describe()}`);
    const meter = new TreeCpuMeter(child.child.pid);
    const before = { octets, pictures };
    meter.begin();
    await delay(SECONDS * 1000);
    if (!child.running) throw new Error(`the plain ffmpeg command ended inside the window: ${child.describe()}`);
    const cpu = meter.end();
    const line = (
      `(b) plain ffmpeg, 4 inputs → ${tiles.length} tiles${fontFile ? ' with labels' : ' (no font: no labels)'} → H.264 ${bitrateBps / 1000} kbit/s: ` +
        `${describeCpu(cpu)}; output ${((pictures - before.pictures) / cpu.wallSeconds).toFixed(1)} pictures/s, ` +
        `${(((octets - before.octets) * 8) / cpu.wallSeconds / 1000).toFixed(0)} kbit/s`
    );
    return { cpu, line };
  } finally {
    await child.stop();
  }
}

/** (a) and (c): the room through the MCU. */
async function measureRoom(): Promise<RoomResult> {
  const result: RoomResult = { viaMcuMs: [], directMs: [], addedMs: [], switchesTried: 0, problems: [] };
  if (!fs.existsSync(MCU_ENTRY)) {
    result.problems.push(`${MCU_ENTRY} is missing: run \`npm run build\` first`);
    return result;
  }
  const started: Array<{ dispose?(): Promise<void>; leave?(): Promise<void>; close?(): Promise<void> }> = [];
  let mcu: McuProcess | undefined;
  try {
    mcu = await McuProcess.start({ label: 'bench-video', logLevel: process.env.VIDEO_BENCH_LOG_LEVEL ?? 'warn', env: { MCU_H323_ENABLED: 'false', FFMPEG_PATH: TEST_FFMPEG } });
    const rest = new McuRestClient(mcu.baseUrl);
    const room = await rest.createRoom({ name: 'video bench', number: String(7900 + Math.floor(Math.random() * 90)) });
    const cameraIds: string[] = [];
    for (const colour of FIXED) {
      const sender = await ColourSender.start({ label: `cam-${colour}`, sipAddress: mcu.sipAddress, roomNumber: room.number, colour, width: WIDTH, height: HEIGHT, frameRate: FRAME_RATE });
      started.push(sender);
      cameraIds.push(`cam-${colour}`);
    }
    const direct = await VideoReceiver.open({ label: 'bench-direct', codec: 'H264', width: WIDTH, height: HEIGHT });
    started.push(direct);
    const camera = await SwitchingCamera.start({
      label: 'cam-switch',
      sipAddress: mcu.sipAddress,
      roomNumber: room.number,
      colours: SWITCHING,
      width: WIDTH,
      height: HEIGHT,
      frameRate: FRAME_RATE,
      mirror: { address: LOOPBACK, port: direct.rtpPort },
    });
    started.push(camera);
    cameraIds.push('cam-switch');
    const viewer = await Viewer.join({ label: 'bench-viewer', sipAddress: mcu.sipAddress, roomNumber: room.number, codec: 'H264', width: WIDTH, height: HEIGHT });
    started.push(viewer);

    const tiles = expectedTiles(roomView(cameraIds, 'bench-viewer'));
    const tileOf = (id: string) => tiles.find((t) => t.participantId === id);
    const switchTile = tileOf('cam-switch');
    const complete = (p: DecodedPicture): boolean =>
      FIXED.every((c) => {
        const t = tileOf(`cam-${c}`);
        return t !== undefined && shows(p.picture, t, c);
      }) &&
      switchTile !== undefined &&
      shows(p.picture, switchTile, camera.colour);
    const composite = (await viewer.receiver.waitForPicture(complete, FIRST_COMPOSITE_MS)) !== undefined;
    if (!composite) {
      const latest = viewer.receiver.latestPicture;
      const means = latest ? tiles.map((t) => `${t.participantId}=${formatRgb(meanRgb(latest.picture, scaleRect(insideOf(t), WIDTH, HEIGHT, latest.picture.width, latest.picture.height), 4))}`).join(' ') : 'no picture decoded';
      result.problems.push(
        `MCU CPU and delay through the MCU: the viewer did not see the four cameras in the 2×2 layout within ${FIRST_COMPOSITE_MS / 1000} s ` +
          `(${means}; ${viewer.receiver.describe().split('\n')[0]}); only the direct delay is measured`,
      );
    }
    if (mcu.pid === undefined) throw new Error('the MCU has no pid');

    // (a) while (c) runs: the CPU window over the running room.
    const meter = new TreeCpuMeter(mcu.pid, 500, ffmpegRole);
    const picturesBefore = viewer.receiver.picturesDecoded;
    meter.begin();
    const windowEnd = performance.now() + SECONDS * 1000;
    const directRect = { x: 0, y: 0, w: WIDTH, h: HEIGHT };
    // A switch every 2–3 s (not in step with the cameras' 1 s key frame interval).
    for (let i = 0; i < 64 && performance.now() + 2500 + SWITCH_SHOW_MS < windowEnd; i++) {
      await delay(1200 + Math.random() * 800);
      result.switchesTried++;
      const sw = await camera.switchColour(3000);
      if (!sw || !switchTile) {
        result.problems.push(`switch ${i + 1}: no IDR of the other colour within 3 s`);
        continue;
      }
      const [viaMcu, straight] = await Promise.all([
        composite ? viewer.receiver.waitForPicture((p) => p.at >= sw.sentAt && shows(p.picture, switchTile, sw.colour), SWITCH_SHOW_MS, false) : undefined,
        direct.waitForPicture((p) => p.at >= sw.sentAt && shows(p.picture, directRect, sw.colour), SWITCH_SHOW_MS, false),
      ]);
      if (composite && !viaMcu) result.problems.push(`switch ${i + 1} to ${sw.colour}: the composite did not show it within ${SWITCH_SHOW_MS} ms`);
      if (!straight) result.problems.push(`switch ${i + 1} to ${sw.colour}: the direct receiver did not show it within ${SWITCH_SHOW_MS} ms`);
      if (viaMcu) result.viaMcuMs.push(viaMcu.at - sw.sentAt);
      if (straight) result.directMs.push(straight.at - sw.sentAt);
      if (viaMcu && straight) result.addedMs.push(viaMcu.at - straight.at);
    }
    await delay(Math.max(0, windowEnd - performance.now()));
    const cpu = meter.end();
    result.encoderBitrateBps = mcuEncoderBitrate(mcu.pid);
    result.viewerFps = (viewer.receiver.picturesDecoded - picturesBefore) / cpu.wallSeconds;
    if (composite) result.cpu = cpu;
    return result;
  } catch (err) {
    result.problems.push((err as Error).message.split('\n').slice(0, 3).join(' | '));
    if (mcu) {
      const tail = mcu
        .log()
        .split('\n')
        .filter((l) => /"level":(40|50|60)/.test(l) && /video|ffmpeg/i.test(l))
        .slice(-3);
      if (tail.length > 0) result.problems.push(`MCU log: ${tail.join(' | ').slice(0, 600)}`);
    }
    return result;
  } finally {
    for (const s of started.reverse()) {
      try {
        await (s.leave?.() ?? s.dispose?.() ?? s.close?.());
      } catch {
        // Cleanup continues with the next one; killAllChildren below is the safety net.
      }
    }
    if (mcu) {
      await mcu.stop().catch(() => undefined);
      await mcu.dispose().catch(() => undefined);
    }
  }
}

/** Runs the benchmark and prints its figures. */
export async function runVideoBench(): Promise<void> {
  console.log(`video room: 4 cameras ${WIDTH}x${HEIGHT}@${FRAME_RATE} H.264 + 1 viewer (auto layout, 2×2), ${SECONDS} s windows; ffmpeg ${TEST_FFMPEG}, ${os.cpus().length} cores`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-video-bench-'));
  let plain: TreeCpu | undefined;
  let plainLine: string;
  let room: RoomResult | undefined;
  try {
    // The room first: the plain command then encodes at the bitrate the MCU's encoder used.
    room = await measureRoom();
    try {
      const measured = await measurePlain(scratch, room.encoderBitrateBps ?? encoderBitrateBps({}));
      plain = measured.cpu;
      plainLine = measured.line;
    } catch (err) {
      plainLine = `(b) plain ffmpeg: not measured: ${(err as Error).message.split('\n')[0]}`;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    await killAllChildren();
  }

  if (room.cpu) {
    console.log(
      `(a) MCU (node + ffmpeg children): ${describeCpu(room.cpu)}; the viewer decoded ${room.viewerFps?.toFixed(1)} pictures/s` +
        (room.encoderBitrateBps === undefined ? '' : `; encoder at ${room.encoderBitrateBps / 1000} kbit/s`),
    );
  } else console.log('(a) MCU CPU: not measured (see below)');
  if (room.encoderBitrateBps === undefined) console.log(`    (no MCU H.264 encoder found: the plain command encodes at the default ${encoderBitrateBps({}) / 1000} kbit/s)`);
  console.log(plainLine);
  if (room.cpu && plain) {
    console.log(`    ratio MCU / plain ffmpeg: ${(room.cpu.percentOfCore / plain.percentOfCore).toFixed(2)}`);
  } else {
    console.log('    ratio MCU / plain ffmpeg: not measured');
  }
  const stats = (v: number[]) => `median ${median(v).toFixed(0)} ms (min ${Math.min(...v).toFixed(0)}, max ${Math.max(...v).toFixed(0)}, n ${v.length})`;
  const through = room.viaMcuMs.length > 0 ? stats(room.viaMcuMs) : 'not measured';
  const straight = room.directMs.length > 0 ? stats(room.directMs) : 'not measured';
  console.log(`(c) glass-to-glass, colour switch → decoded picture: through the MCU ${through}; straight to a receiver ${straight}`);
  console.log(`    added by the MCU: ${room.addedMs.length > 0 ? stats(room.addedMs) : 'not measured'} (${room.switchesTried} switches)`);
  for (const problem of room.problems) console.log(`    could not measure: ${problem}`);
}

if (require.main === module) {
  runVideoBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
