/**
 * A synthetic video participant for tests over loopback: one UDP socket (RTP and RTCP multiplexed,
 * RFC 5761) that sends a short solid-colour H.264 or VP8 clip made by ffmpeg in a loop, 25
 * pictures/s, packetized by `H264Packetizer` or `Vp8Packetizer`, answers RTCP PLI/FIR by sending the clip's IDR next, and records
 * and decodes (with a `VideoDecoder`) the composite the MCU sends back. Not part of the library build.
 */
import { execFileSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { silentMediaLogger } from '../../media-logger';
import { parseCompoundRtcp } from '../../rtp/rtcp-compound';
import { isRtcpDatagram, readRtpPacket } from '../../rtp/rtp-packet-reader';
import { splitAnnexB } from '../h264-nal-unit';
import type { RawPicture } from '../pipeline/raw-picture';
import { VideoDecoder } from '../pipeline/video-decoder';
import { serializePli } from '../rtcp-feedback';
import { H264Depacketizer, H264Packetizer } from '../rtp-h264';
import { Vp8Depacketizer, Vp8Packetizer } from '../rtp-vp8';
import { IvfReader } from '../ivf';
import { H263Depacketizer } from '../rtp-h263';
import { Rfc2190Depacketizer } from '../rtp-h263-rfc2190';
import type { VideoCodecName } from '../ffmpeg-args';
import { PIPELINE_CODEC } from '../video-leg-params';

const HOST = '127.0.0.1';
const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
const clips = new Map<string, Buffer[]>();

/**
 * H.264 access units (Annex B, SPS/PPS before the IDR) of a one-second solid-colour clip:
 * 25 pictures at 25/s, one IDR first, Constrained Baseline.
 */
export function colourClip(colour: string, size = '320x180'): Buffer[] {
  const key = `${colour}@${size}`;
  const cached = clips.get(key);
  if (cached) return cached;
  const stream = execFileSync(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=${size}:r=25`, '-frames:v', '25',
    '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '25', '-bf', '0',
    '-x264-params', 'aud=1:repeat-headers=1', '-f', 'h264', 'pipe:1',
  ], { timeout: 20000 });
  const units: Buffer[][] = [];
  for (const nal of splitAnnexB(stream)) {
    if ((nal[0] & 0x1f) === 9) units.push([]);
    else units[units.length - 1]?.push(nal);
  }
  const aus = units.filter((u) => u.length > 0).map((u) => Buffer.concat(u.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n])));
  clips.set(key, aus);
  return aus;
}

/** VP8 frames of a one-second solid-colour clip: 25 frames at 25/s, a key frame first. */
export function colourClipVp8(colour: string, size = '320x180'): Buffer[] {
  const key = `vp8 ${colour}@${size}`;
  const cached = clips.get(key);
  if (cached) return cached;
  const stream = execFileSync(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:s=${size}:r=25`, '-frames:v', '25',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-g', '25', '-auto-alt-ref', '0', '-f', 'ivf', 'pipe:1',
  ], { timeout: 20000 });
  const frames = new IvfReader().push(stream).map((f) => f.data);
  clips.set(key, frames);
  return frames;
}

/** A received RTP packet with its arrival time (`performance.now()`, ms). */
export interface ReceivedVideoPacket {
  at: number;
  ssrc: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  /** The packet completed a key frame (IDR access unit). */
  keyframe: boolean;
  /** Payload octets and the first payload octet (H.264: the NAL unit or packet type, RFC 6184 §5.2). */
  octets: number;
  firstOctet: number;
  payloadType: number;
  payload: Buffer;
}

/** Options of a `VideoTestParticipant`. */
export interface VideoTestParticipantOptions {
  /** Colour of the camera (ffmpeg colour name); undefined: the participant sends no video. */
  colour?: string;
  /** Codec of the camera; default H.264 (packetization-mode 1). */
  sendCodec?: 'H264' | 'VP8';
  /** Picture size of the camera, `WxH` (default `320x180`). */
  cameraSize?: string;
  payloadType?: number;
  /** Size and codec (default H.264) of the composite expected back (decoded at this size); undefined: nothing decoded. */
  receive?: { width: number; height: number; codec?: 'H264' | 'VP8' | 'H263-1998' | 'H263' };
  /** Index in the clip of the first picture sent (a value above 0 starts without a key frame). */
  startAt?: number;
}

/** One synthetic video participant. */
export class VideoTestParticipant {
  readonly socket = dgram.createSocket('udp4');
  readonly ssrc = 0x20000000 + Math.floor(Math.random() * 0x0fffffff);
  /** RTP packets received. */
  readonly received: ReceivedVideoPacket[] = [];
  /** Key frame requests (PLI/FIR) received, with arrival time. */
  readonly keyframeRequests: number[] = [];
  /** Decoded composite pictures (latest last; at most the last 10 kept). */
  readonly pictures: RawPicture[] = [];
  picturesDecoded = 0;
  private readonly clip: Buffer[] | undefined;
  private readonly packetizer: { packetize(frame: Buffer): { payload: Buffer; marker: boolean }[] };
  private readonly depacketizer: { push: H264Depacketizer['push'] };
  private decoder: VideoDecoder | undefined;
  private timer: NodeJS.Timeout | undefined;
  private target = 0;
  private index: number;
  private seq = Math.floor(Math.random() * 0xffff);
  private timestamp = Math.floor(Math.random() * 0xffffffff);

  constructor(private readonly opts: VideoTestParticipantOptions = {}) {
    const vp8 = opts.sendCodec === 'VP8';
    this.clip = opts.colour ? (vp8 ? colourClipVp8(opts.colour, opts.cameraSize) : colourClip(opts.colour, opts.cameraSize)) : undefined;
    this.packetizer = vp8 ? new Vp8Packetizer() : new H264Packetizer({ packetizationMode: 1 });
    this.index = opts.startAt ?? 0;
    const codec = opts.receive?.codec ?? 'H264';
    this.depacketizer =
      codec === 'VP8' ? new Vp8Depacketizer() : codec === 'H263-1998' ? new H263Depacketizer() : codec === 'H263' ? new Rfc2190Depacketizer() : new H264Depacketizer();
  }

  /** The bound local port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** Binds the socket on loopback and starts the decoder of the composite, if any. */
  async open(): Promise<this> {
    this.socket.on('message', (data) => this.onDatagram(data));
    await new Promise<void>((resolve) => this.socket.bind(0, HOST, resolve));
    if (this.opts.receive) {
      this.decoder = new VideoDecoder({
        ffmpegPath: FFMPEG,
        codec: PIPELINE_CODEC[this.opts.receive.codec ?? 'H264'] as VideoCodecName,
        width: this.opts.receive.width,
        height: this.opts.receive.height,
        name: `test viewer ${this.port}`,
        logger: silentMediaLogger,
        onPicture: (p) => {
          this.picturesDecoded++;
          this.pictures.push(p);
          if (this.pictures.length > 10) this.pictures.shift();
        },
        onNeedKeyframe: () => undefined,
      });
    }
    return this;
  }

  /** Starts sending the clip to the MCU's port (25 pictures/s). */
  start(mcuPort: number): void {
    this.target = mcuPort;
    if (!this.clip || this.timer) return;
    this.timer = setInterval(() => this.sendPicture(), 40);
  }

  /** Sends an RTCP PLI (RFC 4585 §6.3.1) for the MCU's stream `mediaSsrc` to the MCU's port. */
  sendPli(mediaSsrc: number): void {
    this.socket.send(serializePli(this.ssrc, mediaSsrc), this.target, HOST);
  }

  /** The latest decoded composite, if any. */
  latest(): RawPicture | undefined {
    return this.pictures[this.pictures.length - 1];
  }

  /** Stops sending, the decoder and the socket. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
    await this.decoder?.close();
  }

  private sendPicture(): void {
    const clip = this.clip;
    if (!clip) return;
    const au = clip[this.index % clip.length];
    this.index = (this.index + 1) % clip.length;
    for (const chunk of this.packetizer.packetize(au)) {
      const header = new RtpHeader({ payloadType: this.opts.payloadType ?? 96, sequenceNumber: this.seq, timestamp: this.timestamp >>> 0, marker: chunk.marker, ssrc: this.ssrc });
      this.seq = (this.seq + 1) & 0xffff;
      this.socket.send(new RtpPacket(header, chunk.payload).serialize(), this.target, HOST);
    }
    this.timestamp = (this.timestamp + 3600) >>> 0;
  }

  private onDatagram(data: Buffer): void {
    if (isRtcpDatagram(data)) {
      try {
        if (parseCompoundRtcp(data).keyframeRequests.length > 0) {
          this.keyframeRequests.push(performance.now());
          this.index = 0; // the clip's IDR goes next
        }
      } catch {
        // not ours to judge here
      }
      return;
    }
    const packet = readRtpPacket(data);
    const result = this.depacketizer.push(packet);
    const keyframe = result.frames.some((f) => f.keyframe);
    this.received.push({
      at: performance.now(),
      ssrc: packet.header.ssrc,
      sequenceNumber: packet.header.sequenceNumber,
      timestamp: packet.header.timestamp,
      marker: packet.header.marker,
      keyframe,
      octets: packet.payload.length,
      firstOctet: packet.payload[0] ?? 0,
      payloadType: packet.header.payloadType,
      payload: packet.payload,
    });
    for (const frame of result.frames) this.decoder?.decode(frame);
  }
}
