/**
 * A video receiver for end-to-end tests: the test's own RTP/RTCP sockets on a loopback port pair
 * (RTP on an even port, RTCP on the next, RFC 3550 §11), the MCU's depacketizers (RFC 6184 H.264,
 * RFC 7741 VP8) and an ffmpeg that decodes what arrives into rgb24 pictures the test can measure.
 *
 * What it records, on the monotonic clock of `performance.now()` (ms):
 * - the arrival time of every video RTP packet (for the longest gap between packets, the measure
 *   of "no interruption" of the issue);
 * - every key frame (H.264 IDR with its parameter sets, VP8 key frame) with the arrival times of
 *   its first and last packet;
 * - every decoded picture, of which it keeps the latest, and lets tests wait for a picture that
 *   satisfies a predicate.
 *
 * It sends RTCP only when asked: a compound RR + SDES CNAME + PLI (RFC 4585 §6.3.1) from its RTCP
 * port to the MCU's RTCP port.
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RtcpRrPacket } from 'werift-rtp';
import {
  cnameDescription,
  EncodedVideoFrame,
  H264Depacketizer,
  isRtcpDatagram,
  readRtpPacket,
  serializeCompoundRtcp,
  serializeIvfFileHeader,
  serializeIvfFrame,
  serializePli,
  Vp8Depacketizer,
  withTrailingDelimiter,
} from '@mcu/media-mixer';
import { FfmpegChild } from './video-ffmpeg';
import { RgbPicture } from './video-picture';
import { bindLoopbackUdp, closeUdpSocket, freeUdpPortRange, LOOPBACK, PORT_REGIONS, releasePortRange } from './ports';

/** Video payload formats the test tools speak. */
export type TestVideoCodec = 'H264' | 'VP8';

/** Options of {@link VideoReceiver.open}. */
export interface VideoReceiverOptions {
  /** Short name for artifact files and messages. */
  label: string;
  codec: TestVideoCodec;
  /** Size the decoder scales every picture to, pixels (default 640×360, the MCU's default composite). */
  width?: number;
  height?: number;
}

/** One key frame received. */
export interface ReceivedKeyframe {
  /** Arrival of its first and last RTP packet, `performance.now()` ms. */
  firstPacketAt: number;
  completedAt: number;
  rtpTimestamp: number;
  octets: number;
}

/** One picture out of the decoder. */
export interface DecodedPicture {
  picture: RgbPicture;
  /** When the test process read it from the decoder, `performance.now()` ms. */
  at: number;
  /** 0 for the first picture decoded. */
  index: number;
}

interface PictureWaiter {
  predicate: (p: DecodedPicture) => boolean;
  resolve: (p: DecodedPicture | undefined) => void;
}

/** The receiving end of one video leg, see the file comment. */
export class VideoReceiver {
  /** Arrival times of video RTP packets, `performance.now()` ms, in order. */
  readonly arrivals: number[] = [];
  /** Key frames completed, in order. */
  readonly keyframes: ReceivedKeyframe[] = [];
  /** RTCP datagrams received on the RTCP port (SR, …) and RTP datagrams that failed to parse. */
  rtcpReceived = 0;
  malformed = 0;
  /** SSRC of the MCU's stream to us (the last seen) and how many SSRCs were seen. */
  remoteSsrc: number | undefined;
  readonly ssrcsSeen = new Set<number>();
  /** Payload types seen. */
  readonly payloadTypes = new Set<number>();
  /** Frames handed to the decoder. */
  framesOut = 0;
  /** PLIs sent: when, `performance.now()` ms. */
  readonly plisSent: number[] = [];
  private latest: DecodedPicture | undefined;
  private waiters: PictureWaiter[] = [];
  private decodedCount = 0;
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  private readonly depacketizer: H264Depacketizer | Vp8Depacketizer;
  private remote: { address: string; rtcpPort: number } | undefined;
  private frameFirstPacketAt: number | undefined;
  private frameTimestamp: number | undefined;
  private pending: Buffer[] = [];
  private pendingOctets = 0;
  private closed = false;
  private ivfHeaderWritten = false;

  private constructor(
    readonly options: Required<VideoReceiverOptions>,
    private readonly rtp: dgram.Socket,
    private readonly rtcp: dgram.Socket,
    private readonly ports: { min: number; max: number },
    /** The decoder (ffmpeg), rgb24 pictures of `width`×`height` on its stdout. */
    readonly decoder: FfmpegChild,
  ) {
    this.depacketizer = options.codec === 'H264' ? new H264Depacketizer() : new Vp8Depacketizer();
    rtp.on('message', (msg) => this.onRtp(msg));
    rtcp.on('message', () => {
      this.rtcpReceived++;
    });
    decoder.child.stdout?.on('data', (chunk: Buffer) => this.onDecoderOutput(chunk));
    const readStreamLine = (chunk: Buffer): void => {
      this.stderrHead += chunk.toString('utf8');
      const m = /Input #0[\s\S]*?Stream #0:0: Video: (\w+)[^\n]*?, (\d+)x(\d+)/.exec(this.stderrHead);
      if (m) this.decodedStream = { codec: m[1], width: Number(m[2]), height: Number(m[3]) };
      if (m || this.stderrHead.length > 64 * 1024) decoder.child.stderr?.off('data', readStreamLine);
    };
    decoder.child.stderr?.on('data', readStreamLine);
  }

  /**
   * Binds a fresh loopback port pair (RTP even, RTCP odd) and starts the decoder.
   * @throws Error when no free port pair was found or a socket cannot bind
   */
  static async open(options: VideoReceiverOptions): Promise<VideoReceiver> {
    const full: Required<VideoReceiverOptions> = { width: 640, height: 360, ...options };
    const ports = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
    let rtp: dgram.Socket | undefined;
    let rtcp: dgram.Socket | undefined;
    try {
      rtp = await bindLoopbackUdp(ports.min);
      rtcp = await bindLoopbackUdp(ports.min + 1);
    } catch (err) {
      rtp?.close();
      rtcp?.close();
      releasePortRange(ports);
      throw err;
    }
    const input = full.codec === 'H264' ? ['-f', 'h264'] : ['-f', 'ivf'];
    const decoder = FfmpegChild.start({
      label: `decode-${full.label}`,
      stdinPipe: true,
      stdoutPipe: true,
      args: [
        '-hide_banner', '-loglevel', 'info',
        // Low delay: no probing beyond the first octets, no frame threading. Not `-fflags nobuffer`:
        // it drops the packets read while probing, i.e. the first key frame.
        '-probesize', '32', '-analyzeduration', '0', '-flags', 'low_delay', '-threads', '1',
        ...input, '-i', 'pipe:0',
        '-an', '-vf', `scale=${full.width}:${full.height}`, '-pix_fmt', 'rgb24', '-fps_mode', 'passthrough',
        '-f', 'rawvideo', 'pipe:1',
      ],
    });
    return new VideoReceiver(full, rtp, rtcp, ports, decoder);
  }

  /** The local RTP port (offered in the SDP); RTCP is on `rtpPort + 1`. */
  get rtpPort(): number {
    return this.ports.min;
  }

  /** Where PLIs go: the MCU's RTCP address from its SDP answer (RTP port + 1 unless told). */
  setRemote(address: string, rtpPort: number, rtcpPort = rtpPort + 1): void {
    this.remote = { address, rtcpPort };
  }

  /** Latest decoded picture, if any. */
  get latestPicture(): DecodedPicture | undefined {
    return this.latest;
  }

  /** Codec and size of the stream as the decoder reported them (its `Input #0` stream line). */
  decodedStream: { codec: string; width: number; height: number } | undefined;
  private stderrHead = '';

  /** When the first picture came out of the decoder, `performance.now()` ms. */
  firstPictureAt: number | undefined;

  /** Number of pictures decoded so far. */
  get picturesDecoded(): number {
    return this.decodedCount;
  }

  /** Depacketizer counters (packets, loss, frames, key frames, drops). */
  get depacketizerStats(): Readonly<Record<string, number>> {
    return { ...this.depacketizer.stats };
  }

  /**
   * Longest pause between two consecutive video RTP packets that arrived in `[fromMs, toMs]`,
   * counting the edges: from `fromMs` to the first packet and from the last packet to `toMs`
   * (so no packets at all is a gap of the whole window).
   * @returns the gap in ms and when it started
   */
  longestGap(fromMs: number, toMs: number): { gapMs: number; startedAt: number; packets: number } {
    let previous = fromMs;
    let gapMs = 0;
    let startedAt = fromMs;
    let packets = 0;
    for (const t of this.arrivals) {
      if (t < fromMs) continue;
      if (t > toMs) break;
      packets++;
      if (t - previous > gapMs) {
        gapMs = t - previous;
        startedAt = previous;
      }
      previous = t;
    }
    if (toMs - previous > gapMs) {
      gapMs = toMs - previous;
      startedAt = previous;
    }
    return { gapMs, startedAt, packets };
  }

  /**
   * Sends one compound RTCP packet RR + SDES + PLI (RFC 4585 §6.3.1) for the MCU's stream from the
   * RTCP port to the MCU's RTCP port.
   * @returns when it was sent, `performance.now()` ms
   * @throws Error before any RTP arrived (the PLI needs the media SSRC) or before `setRemote`
   */
  async sendPli(): Promise<number> {
    if (this.remoteSsrc === undefined) throw new Error(`${this.options.label}: no RTP received yet, so no SSRC to send a PLI for`);
    if (!this.remote) throw new Error(`${this.options.label}: the MCU's RTCP address is not known (setRemote)`);
    const datagram = Buffer.concat([
      serializeCompoundRtcp([new RtcpRrPacket({ ssrc: this.ssrc, reports: [] }), cnameDescription(this.ssrc, `${this.options.label}@tessera.test`)]),
      serializePli(this.ssrc, this.remoteSsrc),
    ]);
    const { address, rtcpPort } = this.remote;
    await new Promise<void>((resolve, reject) => this.rtcp.send(datagram, rtcpPort, address, (err) => (err ? reject(err) : resolve())));
    const at = performance.now();
    this.plisSent.push(at);
    return at;
  }

  /** The first key frame completed after `afterMs`, waiting up to `timeoutMs`; undefined when none came. */
  async keyframeAfter(afterMs: number, timeoutMs: number): Promise<ReceivedKeyframe | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.keyframes.find((k) => k.completedAt > afterMs);
      if (found) return found;
      if (performance.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * The first decoded picture (the latest one, then each new one) for which `predicate` holds.
   * @returns the picture, or undefined when none did within `timeoutMs`
   */
  waitForPicture(predicate: (p: DecodedPicture) => boolean, timeoutMs: number, includeLatest = true): Promise<DecodedPicture | undefined> {
    if (includeLatest && this.latest && predicate(this.latest)) return Promise.resolve(this.latest);
    return new Promise((resolve) => {
      const waiter: PictureWaiter = {
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** A line of counters for failure messages. */
  describe(): string {
    const d = this.depacketizer.stats;
    return (
      `${this.options.label} (${this.options.codec}, port ${this.rtpPort}): ${this.arrivals.length} RTP packets` +
      ` (payload types ${[...this.payloadTypes].join(',') || '-'}, SSRCs ${[...this.ssrcsSeen].map((s) => s.toString(16)).join(',') || '-'}),` +
      ` ${this.rtcpReceived} RTCP, ${this.malformed} malformed; depacketizer: ${d.framesOut} frames, ${d.keyframesOut} key frames,` +
      ` ${d.lostPackets} lost, ${d.framesDropped} dropped; ${this.decodedCount} pictures decoded; ${this.plisSent.length} PLIs sent\n` +
      this.decoder.describe(8)
    );
  }

  /** Stops the decoder and closes both sockets; idempotent, never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters) w.resolve(undefined);
    this.waiters = [];
    await this.decoder.stop();
    await Promise.all([closeUdpSocket(this.rtp), closeUdpSocket(this.rtcp)]);
    releasePortRange(this.ports);
  }

  private onRtp(datagram: Buffer): void {
    const now = performance.now();
    if (isRtcpDatagram(datagram)) {
      this.rtcpReceived++;
      return;
    }
    let packet;
    try {
      packet = readRtpPacket(datagram);
    } catch {
      this.malformed++;
      return;
    }
    this.arrivals.push(now);
    const { ssrc, payloadType, timestamp } = packet.header;
    this.remoteSsrc = ssrc;
    this.ssrcsSeen.add(ssrc);
    this.payloadTypes.add(payloadType);
    if (this.frameTimestamp !== timestamp || this.frameFirstPacketAt === undefined) {
      this.frameTimestamp = timestamp;
      this.frameFirstPacketAt = now;
    }
    const result = this.depacketizer.push(packet);
    for (const frame of result.frames) this.onFrame(frame, now);
  }

  private onFrame(frame: EncodedVideoFrame, now: number): void {
    if (frame.keyframe) {
      this.keyframes.push({
        firstPacketAt: frame.rtpTimestamp === this.frameTimestamp ? (this.frameFirstPacketAt ?? now) : now,
        completedAt: now,
        rtpTimestamp: frame.rtpTimestamp,
        octets: frame.data.length,
      });
    }
    const stdin = this.decoder.child.stdin;
    if (!stdin || stdin.destroyed || !this.decoder.running) return;
    if (this.options.codec === 'H264') {
      // The trailing access unit delimiter lets ffmpeg's parser close the picture at once.
      stdin.write(withTrailingDelimiter(frame.data));
    } else {
      if (!this.ivfHeaderWritten) {
        stdin.write(serializeIvfFileHeader({ fourcc: 'VP80', width: this.options.width, height: this.options.height, timebaseRate: 25, timebaseScale: 1 }));
        this.ivfHeaderWritten = true;
      }
      stdin.write(serializeIvfFrame(frame.data, BigInt(this.framesOut)));
    }
    this.framesOut++;
  }

  private onDecoderOutput(chunk: Buffer): void {
    const size = this.options.width * this.options.height * 3;
    this.pending.push(chunk);
    this.pendingOctets += chunk.length;
    if (this.pendingOctets < size) return;
    let all = Buffer.concat(this.pending, this.pendingOctets);
    const at = performance.now();
    while (all.length >= size) {
      const picture: RgbPicture = { width: this.options.width, height: this.options.height, data: all.subarray(0, size) };
      all = all.subarray(size);
      this.latest = { picture, at, index: this.decodedCount++ };
      this.firstPictureAt ??= at;
      const latest = this.latest;
      const ready = this.waiters.filter((w) => w.predicate(latest));
      if (ready.length > 0) {
        this.waiters = this.waiters.filter((w) => !ready.includes(w));
        for (const w of ready) w.resolve(latest);
      }
    }
    this.pending = all.length > 0 ? [Buffer.from(all)] : [];
    this.pendingOctets = all.length;
  }
}


