/**
 * The media side of the project's own H.323 endpoint in the video end-to-end tests: one loopback port
 * block (audio RTP/RTCP, then video RTP/RTCP, RFC 3550 §11), a camera (ffmpeg sending a solid colour as
 * H.264 single-NAL-unit mode RTP, RFC 6184 / H.241, or as RFC 2190 H.263 on payload type 34) and a decoder
 * for the composite the MCU sends back (the MCU's depacketizers, ffmpeg decoding into rgb24 pictures).
 *
 * The camera's RTP leaves from the video RTP port the endpoint announced (ffmpeg writes to a relay socket of
 * this process, which forwards each datagram from that port), so the MCU sees one RTP peer per leg, exactly
 * as from a deployed H.323 endpoint.
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { H264Depacketizer, isRtcpDatagram, readRtpPacket, Rfc2190Depacketizer, withTrailingDelimiter, type EncodedVideoFrame } from '@mcu/media-mixer';
import type { H323LocalMedia, H323VideoChannel } from '@mcu/h323';
import { FfmpegChild } from './video-ffmpeg';
import { COLOURS, ffmpegColour, type ColourName, type RgbPicture } from './video-picture';
import { bindLoopbackUdp, freeUdpPortRange, LOOPBACK, PORT_REGIONS, releasePortRange, type PortRange } from './ports';

/** One picture decoded from the MCU's composite. */
export interface PeerPicture {
  picture: RgbPicture;
  /** `performance.now()` ms when it reached the test. */
  at: number;
  index: number;
}

/** Options of {@link H323VideoPeer.open}. */
export interface H323VideoPeerOptions {
  label: string;
  colour: ColourName;
  /** Size the composite is decoded and scaled to, pixels (the size the MCU's channel to us names). */
  width: number;
  height: number;
}

/** ffmpeg arguments of the camera: `colour` at CIF, 15 pictures/s, a key frame every second, as RTP to `target`. */
export function h323CameraArgs(o: { colour: ColourName; channel: Pick<H323VideoChannel, 'codec' | 'payloadType'>; target: number; targetRtcp: number }): string[] {
  const encoder =
    o.channel.codec === 'H264'
      ? // Single NAL unit mode (H.241 default): every NAL unit must fit one packet, hence slices under 1100 octets.
        ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-bf', '0', '-slice-max-size', '1100', '-rtpflags', 'h264_mode0']
      : // RFC 2190 mode A packets start at GOB boundaries: the encoder keeps each GOB group under the payload limit.
        ['-c:v', 'h263', '-ps', '1000', '-rtpflags', 'rfc2190'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-re', '-f', 'lavfi', '-i', `color=c=${ffmpegColour(COLOURS[o.colour])}:s=352x288:r=15`,
    ...encoder,
    '-pix_fmt', 'yuv420p', '-g', '15', '-b:v', '200k',
    '-payload_type', String(o.channel.payloadType), '-ssrc', String(randomBytes(4).readInt32BE(0)),
    '-f', 'rtp', `rtp://${LOOPBACK}:${o.target}?rtcpport=${o.targetRtcp}&pkt_size=1200`,
  ];
}

/** See the file comment. */
export class H323VideoPeer {
  /** Video RTP packets received from the MCU. */
  packetsIn = 0;
  /** Camera packets forwarded to the MCU. */
  packetsOut = 0;
  readonly payloadTypes = new Set<number>();
  /** When each key frame (H.264 IDR, H.263 INTRA picture) from the MCU was complete, `performance.now()` ms. */
  readonly keyframes: number[] = [];
  private camera: FfmpegChild | undefined;
  private decoder: FfmpegChild | undefined;
  private depacketizer: H264Depacketizer | Rfc2190Depacketizer | undefined;
  private receiveCodec: H323VideoChannel['codec'] | undefined;
  private sendTo: { address: string; port: number } | undefined;
  private latest: PeerPicture | undefined;
  private decoded = 0;
  private framesIn = 0;
  private pending: Buffer[] = [];
  private pendingOctets = 0;
  private closed = false;

  private constructor(
    readonly options: H323VideoPeerOptions,
    private readonly ports: PortRange,
    private readonly rtp: dgram.Socket,
    private readonly rtcp: dgram.Socket,
    private readonly relay: dgram.Socket,
    private readonly relayRtcp: dgram.Socket,
  ) {
    rtp.on('message', (msg) => this.onRtp(msg));
    relay.on('message', (msg) => {
      if (!this.sendTo || this.closed) return;
      this.packetsOut++;
      rtp.send(msg, this.sendTo.port, this.sendTo.address);
    });
  }

  /**
   * Binds the port block (audio pair, video pair) and the camera's relay sockets.
   * @throws Error when no free port block was found or a socket cannot bind
   */
  static async open(options: H323VideoPeerOptions): Promise<H323VideoPeer> {
    const ports = await freeUdpPortRange({ count: 4, region: PORT_REGIONS.peers });
    const sockets: dgram.Socket[] = [];
    try {
      for (const port of [ports.min + 2, ports.min + 3, 0, 0]) sockets.push(await bindLoopbackUdp(port));
    } catch (err) {
      for (const s of sockets) s.close();
      releasePortRange(ports);
      throw err;
    }
    const [rtp, rtcp, relay, relayRtcp] = sockets;
    return new H323VideoPeer(options, ports, rtp, rtcp, relay, relayRtcp);
  }

  /** What the endpoint announces: audio on the first pair (nobody listens there), video on the second. */
  get localMedia(): H323LocalMedia {
    return { address: LOOPBACK, rtpPort: this.ports.min, videoRtpPort: this.ports.min + 2 };
  }

  /** Starts the camera on our transmit channel (to its `remoteRtp`, in its format and payload type). */
  startCamera(channel: H323VideoChannel): void {
    if (this.camera || this.closed) return;
    if (!channel.remoteRtp) throw new Error(`${this.options.label}: our video channel names no RTP address`);
    this.sendTo = channel.remoteRtp;
    const relayPort = (this.relay.address() as { port: number }).port;
    const relayRtcpPort = (this.relayRtcp.address() as { port: number }).port;
    this.camera = FfmpegChild.start({ label: `h323-camera-${this.options.label}`, args: h323CameraArgs({ colour: this.options.colour, channel, target: relayPort, targetRtcp: relayRtcpPort }) });
  }

  /** Starts decoding what the MCU sends on its channel to us (H.264 or RFC 2190 H.263). */
  startDecoder(channel: H323VideoChannel): void {
    if (this.decoder || this.closed) return;
    this.receiveCodec = channel.codec;
    this.depacketizer = channel.codec === 'H264' ? new H264Depacketizer() : new Rfc2190Depacketizer();
    const input = channel.codec === 'H264' ? 'h264' : 'h263';
    this.decoder = FfmpegChild.start({
      label: `h323-decode-${this.options.label}`,
      stdinPipe: true,
      stdoutPipe: true,
      args: [
        '-hide_banner', '-loglevel', 'info',
        // Not `-fflags nobuffer`: it drops the packets read while probing, i.e. the first key frame.
        '-probesize', '32', '-analyzeduration', '0', '-flags', 'low_delay', '-threads', '1',
        '-f', input, '-i', 'pipe:0',
        '-an', '-vf', `scale=${this.options.width}:${this.options.height}`, '-pix_fmt', 'rgb24', '-fps_mode', 'passthrough',
        '-f', 'rawvideo', 'pipe:1',
      ],
    });
    this.decoder.child.stdout?.on('data', (chunk: Buffer) => this.onDecoded(chunk));
    this.decoder.child.stdin?.on('error', () => undefined);
  }

  /** The first key frame completed after `afterMs` (`performance.now()`), polled every 20 ms for at most `timeoutMs`. */
  async keyframeAfter(afterMs: number, timeoutMs: number): Promise<number | undefined> {
    const rounds = Math.ceil(timeoutMs / 20);
    for (let i = 0; i < rounds && !this.closed; i++) {
      const at = this.keyframes.find((t) => t > afterMs);
      if (at !== undefined) return at;
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.keyframes.find((t) => t > afterMs);
  }

  /** The latest decoded picture of the composite. */
  get latestPicture(): PeerPicture | undefined {
    return this.latest;
  }

  /**
   * Polls (every 100 ms, at most `timeoutMs`) for a decoded picture that satisfies `predicate`; the latest
   * picture counts. Undefined when none did.
   */
  async waitForPicture(predicate: (p: PeerPicture) => boolean, timeoutMs: number): Promise<PeerPicture | undefined> {
    const rounds = Math.ceil(timeoutMs / 100);
    for (let i = 0; i < rounds && !this.closed; i++) {
      const latest = this.latest;
      if (latest && predicate(latest)) return latest;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  /** Counters and the ffmpeg stderr tails, for failure messages. */
  describe(): string {
    return [
      `${this.options.label}: ${this.packetsOut} camera packets sent to ${this.sendTo ? `${this.sendTo.address}:${this.sendTo.port}` : '(no channel)'}, ` +
        `${this.packetsIn} packets received (payload types ${[...this.payloadTypes].join(',') || 'none'}), ${this.framesIn} ${this.receiveCodec ?? '?'} frames, ${this.decoded} pictures decoded`,
      this.camera ? `camera: ${this.camera.describe(8)}` : 'camera: not started',
      this.decoder ? `decoder: ${this.decoder.describe(8)}` : 'decoder: not started',
    ].join('\n');
  }

  /** Stops the camera and the decoder, closes the sockets, gives the ports back. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.camera?.stop(), this.decoder?.stop()]);
    for (const s of [this.rtp, this.rtcp, this.relay, this.relayRtcp]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    releasePortRange(this.ports);
  }

  private onRtp(datagram: Buffer): void {
    if (isRtcpDatagram(datagram) || !this.depacketizer) return;
    let packet;
    try {
      packet = readRtpPacket(datagram);
    } catch {
      return;
    }
    this.packetsIn++;
    this.payloadTypes.add(packet.header.payloadType);
    for (const frame of this.depacketizer.push(packet).frames) this.onFrame(frame);
  }

  private onFrame(frame: EncodedVideoFrame): void {
    this.framesIn++;
    if (frame.keyframe) this.keyframes.push(performance.now());
    const stdin = this.decoder?.child.stdin;
    if (!stdin || stdin.destroyed || !this.decoder?.running) return;
    stdin.write(this.receiveCodec === 'H264' ? withTrailingDelimiter(frame.data) : frame.data);
  }

  private onDecoded(chunk: Buffer): void {
    const size = this.options.width * this.options.height * 3;
    this.pending.push(chunk);
    this.pendingOctets += chunk.length;
    if (this.pendingOctets < size) return;
    let all = Buffer.concat(this.pending, this.pendingOctets);
    while (all.length >= size) {
      this.latest = { picture: { width: this.options.width, height: this.options.height, data: Buffer.from(all.subarray(0, size)) }, at: performance.now(), index: this.decoded++ };
      all = all.subarray(size);
    }
    this.pending = all.length > 0 ? [Buffer.from(all)] : [];
    this.pendingOctets = all.length;
  }
}

