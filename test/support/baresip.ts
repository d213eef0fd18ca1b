/**
 * baresip (Debian package) as a headless SIP phone for end-to-end tests.
 *
 * Each instance gets a temporary folder with `config` (from `test/baresip/config`, placeholders filled
 * with free loopback ports) and `accounts`, logs to `test/.artifacts/`, and is controlled through the
 * ctrl_tcp module: netstring-framed JSON commands (`{"command":"dial","params":"sip:…","token":"…"}`)
 * answered by `{"response":true,"ok":…,"token":…}`, plus events such as
 * `{"event":true,"class":"call","type":"CALL_ESTABLISHED",…}`. baresip also gets `-t <s>` so that it
 * quits by itself even if the test process dies.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { artifactPath, tailOfFile } from './artifacts';
import { trackChild } from './child-registry';
import { encodeNetstring, NetstringDecoder } from './netstring';
import { freeBaresipSipPort, freeTcpPort, freeUdpPortRange, LOOPBACK, PORT_REGIONS } from './ports';
import { delay } from './wait';

/** The config template. */
export const BARESIP_CONFIG_TEMPLATE = path.resolve(__dirname, '..', 'baresip', 'config');

/** An event baresip reported over ctrl_tcp (fields as baresip names them). */
export interface BaresipEvent {
  event: true;
  class?: string;
  /** e.g. `CALL_RINGING`, `CALL_ESTABLISHED`, `CALL_CLOSED`. */
  type: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  /** e.g. the close reason for CALL_CLOSED. */
  param?: string;
}

/** A response to a ctrl_tcp command. */
export interface BaresipResponse {
  response: true;
  ok: boolean;
  data?: string;
  token?: string;
}

/** Options for {@link Baresip.start}. */
export interface BaresipOptions {
  /** Short name for the log file. */
  label: string;
  /** SIP user of the local account (default `tester`). */
  user?: string;
  /** baresip quits by itself after this many seconds (default 110). */
  maxLifetimeSeconds?: number;
  /**
   * Video as well (default none): `true` or `{ codec: 'VP8' }` is VP8 (the `vp8` module) from
   * baresip's `fakevideo` camera (640×480 at 25 pictures/s: three vertical bars, red, green and
   * blue); `{ codec: 'H264', file }` is H.264 (the `avcodec` module: libx264, packetization-mode 0)
   * from a video file played by the `avformat` module (Debian package baresip-ffmpeg). Both with a
   * display that draws nothing and the `snapshot` filter, so {@link Baresip.snapshotReceived} can
   * save the decoded incoming picture.
   */
  video?: true | BaresipVideo;
}

/** The video of a phone (see {@link BaresipOptions.video}). */
export type BaresipVideo = { codec: 'VP8' } | { codec: 'H264'; file: string };

/** Folder of baresip's modules (Debian). */
const MODULE_PATH = '/usr/lib/baresip/modules';

/**
 * Config lines and the account's `video_codecs` that give a phone `video`.
 * @throws Error when a module it needs is not installed (naming the Debian package)
 */
function videoConfig(video: BaresipVideo): { lines: string[]; codecs: string } {
  const camera = video.codec === 'VP8' ? ['fakevideo,nil', ['vp8.so']] : [`avformat,${video.file}`, ['avcodec.so', 'avformat.so']];
  const modules = [...(camera[1] as string[]), 'fakevideo.so', 'snapshot.so'];
  for (const m of modules) {
    if (!fs.existsSync(path.join(MODULE_PATH, m))) {
      throw new Error(`baresip module ${m} is not installed (Debian package ${m.startsWith('av') ? 'baresip-ffmpeg' : 'baresip-core'})`);
    }
  }
  return {
    lines: [
      `video_source\t\t${camera[0] as string}`,
      'video_display\t\tfakevideo,nil',
      'video_size\t\t640x480',
      'video_fps\t\t25',
      'video_bitrate\t\t500000',
      ...modules.map((m) => `module\t\t\t${m}`),
    ],
    codecs: video.codec,
  };
}

/** A running baresip controlled over ctrl_tcp. */
export class Baresip {
  /** Every event received so far, in order. */
  readonly events: BaresipEvent[] = [];
  private readonly emitter = new EventEmitter();
  private readonly decoder = new NetstringDecoder();
  private readonly pending = new Map<string, (response: BaresipResponse) => void>();
  private nextToken = 1;
  private socket: net.Socket | null = null;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    /** Temporary folder with config and accounts (removed by dispose()). */
    readonly runDir: string,
    /** Local SIP port (UDP). */
    readonly sipPort: number,
    /** ctrl_tcp port. */
    readonly ctrlPort: number,
    /** baresip's stdout/stderr. */
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  /** True while baresip has not exited. */
  get running(): boolean {
    return this.exitStatus === null;
  }

  /**
   * Writes the config, starts baresip and connects to its ctrl_tcp port.
   *
   * @throws Error when baresip exits or ctrl_tcp does not accept within 10 s (baresip is killed and
   *   the message carries its log tail)
   */
  static async start(options: BaresipOptions): Promise<Baresip> {
    const video = options.video === true ? videoConfig({ codec: 'VP8' }) : options.video ? videoConfig(options.video) : undefined;
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-baresip-'));
    const sipPort = await freeBaresipSipPort();
    const ctrlPort = await freeTcpPort();
    const rtp = await freeUdpPortRange({ count: 20, region: PORT_REGIONS.peers });
    const values: Record<string, string> = {
      SIP_PORT: String(sipPort),
      CTRL_PORT: String(ctrlPort),
      RTP_PORT_MIN: String(rtp.min),
      RTP_PORT_MAX: String(rtp.max),
      RUN_DIR: runDir,
    };
    const config = fs
      .readFileSync(BARESIP_CONFIG_TEMPLATE, 'utf8')
      .replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => values[name] ?? whole);
    fs.writeFileSync(path.join(runDir, 'config'), video ? `${config}\n# Video (BaresipOptions.video)\n${video.lines.join('\n')}\n` : config);
    // regint=0: no REGISTER; the account only gives the From/Contact identity.
    fs.writeFileSync(
      path.join(runDir, 'accounts'),
      `<sip:${options.user ?? 'tester'}@${LOOPBACK}:${sipPort}>;regint=0;audio_codecs=PCMU,PCMA${video ? `;video_codecs=${video.codecs}` : ''}\n`,
    );
    fs.writeFileSync(path.join(runDir, 'contacts'), '');
    const logFile = artifactPath(`baresip-${options.label}`, '.log');
    const logFd = fs.openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('baresip', ['-f', runDir, '-t', String(options.maxLifetimeSeconds ?? 110)], {
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      fs.closeSync(logFd);
    }
    trackChild(child);
    child.on('error', (err) => fs.appendFileSync(logFile, `\n[harness] spawn error: ${err.message}\n`));
    const phone = new Baresip(child, runDir, sipPort, ctrlPort, logFile);
    try {
      await phone.connect();
      // The menu prints a call status line several times a second; toggle it off to keep the log readable.
      await phone.command('statmode');
    } catch (err) {
      await phone.dispose();
      throw err;
    }
    return phone;
  }

  /** Connects to ctrl_tcp, retrying every 100 ms while baresip starts. */
  private async connect(): Promise<void> {
    let last = '';
    for (let i = 0; i < 100; i++) {
      if (!this.running) break;
      try {
        this.socket = await new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect({ host: LOOPBACK, port: this.ctrlPort });
          socket.once('connect', () => {
            socket.removeListener('error', reject);
            resolve(socket);
          });
          socket.once('error', reject);
        });
        this.socket.on('data', (chunk) => this.onData(chunk));
        this.socket.on('error', (err) => fs.appendFileSync(this.logFile, `\n[harness] ctrl_tcp error: ${err.message}\n`));
        return;
      } catch (err) {
        last = (err as Error).message;
      }
      await delay(100);
    }
    throw new Error(
      `baresip ctrl_tcp on ${LOOPBACK}:${this.ctrlPort} not reachable (${last}; exit ${JSON.stringify(this.exitStatus)}); log:\n${this.logTail()}`,
    );
  }

  private onData(chunk: Buffer): void {
    let payloads: string[];
    try {
      payloads = this.decoder.push(chunk);
    } catch (err) {
      fs.appendFileSync(this.logFile, `\n[harness] bad ctrl_tcp frame: ${(err as Error).message}\n`);
      return;
    }
    for (const payload of payloads) {
      let message: (Partial<BaresipEvent> & Partial<BaresipResponse>) | null = null;
      try {
        message = JSON.parse(payload);
      } catch (err) {
        fs.appendFileSync(this.logFile, `\n[harness] bad ctrl_tcp JSON (${(err as Error).message}): ${payload}\n`);
        continue;
      }
      if (message?.event === true) {
        const event = message as BaresipEvent;
        this.events.push(event);
        this.emitter.emit('event', event);
      } else if (message?.response === true && message.token !== undefined) {
        this.pending.get(message.token)?.(message as BaresipResponse);
      }
    }
  }

  /**
   * Sends a ctrl_tcp command (a menu command name without the slash, e.g. `dial`, `hangup`, `quit`)
   * and resolves baresip's response.
   *
   * @throws Error when not connected or no response came within `timeoutMs`
   */
  async command(command: string, params?: string, timeoutMs = 5000): Promise<BaresipResponse> {
    const socket = this.socket;
    if (!socket) throw new Error('baresip ctrl_tcp is not connected');
    const token = String(this.nextToken++);
    return new Promise<BaresipResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`no ctrl_tcp response to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (response) => {
        clearTimeout(timer);
        this.pending.delete(token);
        resolve(response);
      });
      socket.write(encodeNetstring(JSON.stringify({ command, params, token })));
    });
  }

  /**
   * Saves the next picture baresip decodes from the call as a PNG file (the `snapshot` module's
   * `snapshot_recv`; needs `video: true`) and resolves its path once written.
   *
   * @throws Error when no file appeared within `timeoutMs` (e.g. no video is being decoded)
   */
  async snapshotReceived(file: string, timeoutMs = 3000): Promise<string> {
    fs.rmSync(file, { force: true });
    await this.command('snapshot_recv', file);
    for (let waited = 0; waited < timeoutMs; waited += 50) {
      // Written in one go by the snapshot filter: a non-empty file is complete once its size settles.
      if (fs.existsSync(file) && fs.statSync(file).size > 0) {
        const size = fs.statSync(file).size;
        await delay(50);
        if (fs.statSync(file).size === size) return file;
      }
      await delay(50);
    }
    throw new Error(`baresip wrote no snapshot of the incoming video to ${file} within ${timeoutMs} ms; log:\n${this.logTail()}`);
  }

  /** Places a call to `uri` (e.g. `sip:1000@127.0.0.1:5060`). */
  dial(uri: string): Promise<BaresipResponse> {
    return this.command('dial', uri);
  }

  /**
   * Resolves the first event (already received or arriving within `timeoutMs`) of type `type`
   * that satisfies `match`.
   *
   * @throws Error listing the events seen so far when none arrives in time
   */
  waitForEvent(type: string, timeoutMs = 10_000, match: (e: BaresipEvent) => boolean = () => true): Promise<BaresipEvent> {
    const seen = this.events.find((e) => e.type === type && match(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onEvent = (e: BaresipEvent): void => {
        if (e.type !== type || !match(e)) return;
        clearTimeout(timer);
        this.emitter.removeListener('event', onEvent);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.emitter.removeListener('event', onEvent);
        reject(
          new Error(
            `baresip event ${type} not seen within ${timeoutMs} ms; events: ${JSON.stringify(this.events.map((e) => `${e.type}:${e.param ?? ''}`))}\nlog:\n${this.logTail()}`,
          ),
        );
      }, timeoutMs);
      this.emitter.on('event', onEvent);
    });
  }

  /**
   * Asks baresip to quit (`quit` over ctrl_tcp) and waits up to `timeoutMs` for its exit.
   *
   * @returns the exit status, or null when it had to be killed
   */
  async quit(timeoutMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
    if (!this.running) return this.exitStatus;
    try {
      // baresip may exit before it answers; only the exit matters.
      await this.command('quit', undefined, 1000);
    } catch (err) {
      fs.appendFileSync(this.logFile, `\n[harness] quit command: ${(err as Error).message}\n`);
    }
    const status = await this.waitForExit(timeoutMs);
    if (status) return status;
    await this.dispose();
    return null;
  }

  /** Kills baresip if it still runs, closes the control socket and removes the run folder. Never throws. */
  async dispose(): Promise<void> {
    this.socket?.destroy();
    this.socket = null;
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.waitForExit(5000);
    }
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }

  /** Last lines of baresip's log. */
  logTail(lines = 40): string {
    return tailOfFile(this.logFile, lines);
  }

  private async waitForExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
