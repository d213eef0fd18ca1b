/**
 * Audio media plane under load: synthetic G.711 (PCMU) participants send 20 ms packets over
 * loopback into one room of 10, 50, 100 and 200 legs of a `MediaEngine` running in this process.
 * The participants live in child processes (forks of this file), so this process's CPU time is the
 * engine's alone.
 *
 * Per room size it prints the engine's CPU as a share of one core (total and per participant), and
 * the p50/p99 interval between consecutive egress packets of one stream as received by a
 * lightly loaded observer process (ideal 20 ms). Separately it measures the mouth-to-ear delay the
 * mixer adds at the default jitter buffer: from a tone burst's first packet leaving a participant
 * (loopback: its arrival, within ~0.1 ms) to the first egress packet carrying it at another
 * participant — both times on the child's clock.
 *
 * `npm run bench -- audio` (when registered in bench/run.ts) calls `runAudioBench()`; standalone:
 * `node -r @swc-node/register bench/audio.bench.ts`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as dgram from 'node:dgram';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { MediaEngine, PcmuCodec, decodeUlaw, isRtcpDatagram, readRtpPacket } from '@mcu/media-mixer';

const HOST = '127.0.0.1';
/** Room sizes; `AUDIO_BENCH_SIZES=200` (comma-separated) runs a subset. */
const SIZES = (process.env.AUDIO_BENCH_SIZES ?? '10,50,100,200').split(',').map(Number).filter((n) => n >= 2);
const WARMUP_MS = 1500;
const MEASURE_MS = 4000;
const FRAME_MS = 20;
const SAMPLES = 160;
/** A packet whose peak exceeds this (of the bursts' 6000) carries the burst's audio. */
const ONSET_PEAK = 200;

// ---------------------------------------------------------------------------------------------
// Child side: a process holding synthetic participants.

/** Messages from the parent to a participants process. */
type ToChild =
  | { type: 'open'; count: number }
  | { type: 'start'; targets: number[]; talkers: number; bursts?: { after: number; onMs: number; periodMs: number; count: number } }
  | { type: 'mark'; record: number }
  | { type: 'report' }
  | { type: 'stop' };

/** Messages from a participants process to the parent. */
type FromChild =
  | { type: 'ports'; ports: number[] }
  | { type: 'report'; intervals: number[]; delays: number[]; received: number; sent: number }
  | { type: 'stopped' };

interface Stream {
  socket: dgram.Socket;
  seq: number;
  ts: number;
  phase: number;
  /** A werift-serialized packet reused for every send of this stream (see `packetFor`). */
  template: Buffer;
}

/** RTP header octets of a packet without CSRCs or extension (RFC 3550 §5.1). */
const RTP_HEADER = 12;

/**
 * The next packet of a stream. The load generator must stay cheap, so the header werift serialized
 * once is reused and only the sequence number (octets 2–3), timestamp (4–7) and marker change.
 */
function packetFor(stream: Stream, payload: Buffer, marker: boolean): Buffer {
  const packet = stream.template;
  payload.copy(packet, RTP_HEADER);
  packet[1] = (marker ? 0x80 : 0) | 0; // payload type 0 (PCMU)
  packet.writeUInt16BE(stream.seq, 2);
  packet.writeUInt32BE(stream.ts >>> 0, 4);
  stream.seq = (stream.seq + 1) & 0xffff;
  stream.ts = (stream.ts + SAMPLES) >>> 0;
  return packet;
}

function toneFrame(codec: PcmuCodec, stream: Stream, hz: number): Buffer {
  const pcm = new Int16Array(SAMPLES);
  const step = (2 * Math.PI * hz) / 8000;
  for (let i = 0; i < SAMPLES; i++) pcm[i] = Math.round(6000 * Math.sin(stream.phase + i * step));
  stream.phase = (stream.phase + SAMPLES * step) % (2 * Math.PI);
  return codec.encode(pcm);
}

function runParticipants(): void {
  const send = (msg: FromChild): void => {
    process.send?.(msg);
  };
  const codec = new PcmuCodec();
  const silence = codec.encode(new Int16Array(SAMPLES));
  const streams: Stream[] = [];
  let timer: NodeJS.Timeout | undefined;
  let recording = -1;
  let arrivals: Array<{ at: number; peak: number }> = [];
  const burstStarts: number[] = [];
  let received = 0;
  let sent = 0;

  const onMessage = async (msg: ToChild): Promise<void> => {
    switch (msg.type) {
      case 'open': {
        for (let i = 0; i < msg.count; i++) {
          const socket = dgram.createSocket('udp4');
          const index = i;
          socket.on('message', (data) => {
            received++;
            if (index !== recording || isRtcpDatagram(data)) return;
            let packet: RtpPacket;
            try {
              packet = readRtpPacket(data);
            } catch (err) {
              console.error(`participant ${index}: unreadable datagram from the engine: ${(err as Error).message}`);
              return;
            }
            let peak = 0;
            for (const v of decodeUlaw(packet.payload)) peak = Math.max(peak, Math.abs(v));
            arrivals.push({ at: performance.now(), peak });
          });
          await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
          const ssrc = Math.floor(Math.random() * 2 ** 32);
          const template = new RtpPacket(new RtpHeader({ payloadType: 0, ssrc }), Buffer.alloc(SAMPLES)).serialize();
          streams.push({ socket, seq: Math.floor(Math.random() * 65535), ts: Math.floor(Math.random() * 2 ** 31), phase: 0, template });
        }
        send({ type: 'ports', ports: streams.map((s) => s.socket.address().port) });
        return;
      }
      case 'start': {
        const start = performance.now();
        let k = 0;
        const tick = (): void => {
          const now = performance.now();
          const elapsed = now - start;
          streams.forEach((s, i) => {
            let payload = silence;
            if (msg.bursts && i === 0) {
              const b = msg.bursts;
              const inBursts = elapsed - b.after;
              const burst = Math.floor(inBursts / b.periodMs);
              if (inBursts >= 0 && burst < b.count && inBursts - burst * b.periodMs < b.onMs) {
                if (burstStarts.length === burst) burstStarts.push(now);
                payload = toneFrame(codec, s, 1000);
              }
            } else if (!msg.bursts && i < msg.talkers) {
              payload = toneFrame(codec, s, 300 + 200 * i);
            }
            // dgram keeps a reference to the buffer until the datagram is out: send a copy, so the
            // template can be refilled at once.
            s.socket.send(Buffer.from(packetFor(s, payload, k === 0)), msg.targets[i], HOST);
            sent++;
          });
          k++;
          // Absolute schedule: no drift however late a tick fires.
          timer = setTimeout(tick, Math.max(0, start + k * FRAME_MS - performance.now()));
        };
        tick();
        return;
      }
      case 'mark':
        recording = msg.record;
        arrivals = [];
        return;
      case 'report': {
        const intervals = arrivals.slice(1).map((a, i) => a.at - arrivals[i].at);
        // The onset of each burst: the first packet above the threshold after one below it, so that
        // the delayed tail of the previous burst is not taken for the next one.
        const delays = burstStarts.flatMap((start) => {
          const i = arrivals.findIndex((a, j) => a.at >= start && a.peak > ONSET_PEAK && j > 0 && arrivals[j - 1].peak <= ONSET_PEAK);
          return i >= 0 ? [arrivals[i].at - start] : [];
        });
        send({ type: 'report', intervals, delays, received, sent });
        return;
      }
      case 'stop':
        if (timer) clearTimeout(timer);
        for (const s of streams) s.socket.close();
        send({ type: 'stopped' });
        process.disconnect?.();
        return;
    }
  };
  // Never outlive the parent: without the IPC channel there is nobody to report to.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: ToChild) => {
    onMessage(msg).catch((err: unknown) => {
      console.error('participants process failed:', err);
      process.exit(1);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Parent side.

/** A forked participants process with request/response helpers. */
class Participants {
  /** Live children, killed if this process exits first. */
  static readonly all = new Set<ChildProcess>();
  private readonly child: ChildProcess;
  private readonly waiting: Array<(msg: FromChild) => void> = [];

  constructor() {
    this.child = fork(__filename, ['--participants'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (msg: FromChild) => this.waiting.shift()?.(msg));
    this.child.on('error', (err) => console.error(`participants process: ${err.message}`));
    Participants.all.add(this.child);
    this.child.once('exit', () => Participants.all.delete(this.child));
  }

  request<T extends FromChild['type']>(msg: ToChild, reply: T): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`participants process: no ${reply} within 10 s`)), 10_000);
      this.waiting.push((answer) => {
        clearTimeout(timer);
        if (answer.type === reply) resolve(answer as Extract<FromChild, { type: T }>);
        else reject(new Error(`participants process answered ${answer.type}, expected ${reply}`));
      });
      if (this.child.connected) this.child.send(msg);
    });
  }

  tell(msg: ToChild): void {
    if (this.child.connected) this.child.send(msg);
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.request({ type: 'stop' }, 'stopped');
    } catch {
      this.child.kill('SIGKILL');
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** An engine whose ports lie below the kernel's ephemeral range (32768+), where the participants' sockets land. */
function newEngine(legs: number): MediaEngine {
  const base = 20000 + 2 * Math.floor(Math.random() * (6000 - legs));
  return new MediaEngine({ portMin: base, portMax: base + 2 * legs + 40, host: HOST, publicAddress: HOST });
}

/** Starts one leg per port in `ports`, in room `roomId`; returns the engine's local ports and leg ids. */
async function startLegs(engine: MediaEngine, roomId: string, ports: number[]): Promise<{ targets: number[]; legIds: string[] }> {
  const targets: number[] = [];
  const legIds: string[] = [];
  for (const port of ports) {
    const alloc = await engine.allocateLeg();
    // rtcp-mux: RTCP goes to the participant's one socket, never to a neighbour's port + 1.
    engine.startLeg(roomId, alloc, { remoteAddress: HOST, remotePort: port, rtcpMux: true, payloadType: 0, codec: 'PCMU', clockRate: 8000, channels: 1, ptimeMs: 20, direction: 'sendrecv' });
    targets.push(alloc.localPort);
    legIds.push(alloc.legId);
  }
  return { targets, legIds };
}

async function roomSizeRun(size: number): Promise<void> {
  const engine = newEngine(size);
  const load = new Participants();
  const observer = new Participants();
  try {
    const loadPorts = (await load.request({ type: 'open', count: size - 1 }, 'ports')).ports;
    const observerPorts = (await observer.request({ type: 'open', count: 1 }, 'ports')).ports;
    const roomId = `bench-${size}`;
    const { targets, legIds } = await startLegs(engine, roomId, [...observerPorts, ...loadPorts]);
    observer.tell({ type: 'start', targets: targets.slice(0, 1), talkers: 1 });
    load.tell({ type: 'start', targets: targets.slice(1), talkers: 2 });
    await sleep(WARMUP_MS);
    const ticksBefore = engine.roomStats(roomId);
    observer.tell({ type: 'mark', record: 0 });
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    await sleep(MEASURE_MS);
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - wallBefore;
    const report = await observer.request({ type: 'report' }, 'report');
    const ticksAfter = engine.roomStats(roomId);
    const corePercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const ticks = (ticksAfter?.ticks ?? 0) - (ticksBefore?.ticks ?? 0);
    const tickCost = ((ticksAfter?.busyMs ?? 0) - (ticksBefore?.busyMs ?? 0)) / Math.max(1, ticks);
    const lateTicks = (ticksAfter?.lateTicks ?? 0) - (ticksBefore?.lateTicks ?? 0);
    const out = legIds.reduce((n, id) => n + engine.stats(id).packetsOut, 0);
    const inn = legIds.reduce((n, id) => n + engine.stats(id).packetsIn, 0);
    console.log(
      [
        String(size).padStart(4),
        `${corePercent.toFixed(1).padStart(6)} %`,
        `${(corePercent / size).toFixed(3).padStart(7)} %`,
        `${((cpu.system / 1000 / wallMs) * 100).toFixed(1).padStart(5)} %`,
        `${tickCost.toFixed(2).padStart(6)} ms`,
        `${percentile(report.intervals, 50).toFixed(2).padStart(6)} ms`,
        `${percentile(report.intervals, 99).toFixed(2).padStart(6)} ms`,
        `${Math.max(...report.intervals).toFixed(1).padStart(6)} ms`,
        `${String(lateTicks).padStart(4)}/${String((ticksAfter?.skipped ?? 0) - (ticksBefore?.skipped ?? 0)).padEnd(4)}`,
        `${inn}/${out}`.padStart(15),
      ].join('  '),
    );
  } finally {
    await Promise.all([load.stop(), observer.stop()]);
    await engine.close();
  }
}

async function mouthToEarRun(): Promise<void> {
  const engine = newEngine(3);
  const peers = new Participants();
  try {
    const ports = (await peers.request({ type: 'open', count: 3 }, 'ports')).ports;
    const { targets, legIds } = await startLegs(engine, 'bench-delay', ports);
    const bursts = { after: WARMUP_MS, onMs: 200, periodMs: 500, count: 10 };
    peers.tell({ type: 'mark', record: 1 });
    peers.tell({ type: 'start', targets, talkers: 0, bursts });
    await sleep(bursts.after + bursts.periodMs * bursts.count + 300);
    const report = await peers.request({ type: 'report' }, 'report');
    const jb = engine.stats(legIds[0]).jitterBuffer;
    const d = report.delays;
    console.log(
      `mouth-to-ear added by the MCU (3-party room, PCMU 20 ms, default jitter buffer; ${d.length} bursts): ` +
        `p50 ${percentile(d, 50).toFixed(1)} ms, p99 ${percentile(d, 99).toFixed(1)} ms, min ${Math.min(...d).toFixed(1)} ms, max ${Math.max(...d).toFixed(1)} ms; ` +
        `jitter buffer target ${jb.targetDelayMs} ms, current ${jb.currentDelayMs.toFixed(1)} ms`,
    );
  } finally {
    await peers.stop();
    await engine.close();
  }
}

/** Runs every room size, then the delay measurement, printing one line each. */
export async function runAudioBench(): Promise<void> {
  console.log(`audio rooms: G.711 participants over loopback, ${MEASURE_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up; engine CPU in % of one core`);
  console.log('size     engine  per part.  (kernel)  tick cost  egress p50  egress p99      max  late/skipped ticks  packets in/out');
  for (const size of SIZES) await roomSizeRun(size);
  await mouthToEarRun();
}

process.once('exit', () => {
  for (const child of Participants.all) child.kill('SIGKILL');
});

if (require.main === module) {
  if (process.argv[2] === '--participants') runParticipants();
  else
    runAudioBench().catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
