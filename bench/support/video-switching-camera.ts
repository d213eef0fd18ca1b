/**
 * A camera that changes colour at a moment the benchmark knows, for the glass-to-glass delay.
 *
 * Two ffmpeg colour senders (the e2e tools' `colourSenderArgs`: H.264 Constrained Baseline, a key
 * frame every second) stream two colours side by side to a relay in this process. The relay sends
 * one of them to the MCU from the port pair the SIP offer named, as one continuous RTP stream (own
 * SSRC, sequence numbers and timestamps, RFC 3550 §5.1). On `switchColour()` it waits for the
 * other stream's next IDR picture and for the end of the picture in flight, and from then on
 * relays the other stream: the moment it sends the first packet of the first picture of the new
 * colour is the switch time. The MCU sees a stream whose next picture is an IDR of another colour,
 * with no loss and no SSRC change (both encoders have the same settings, so the same SPS/PPS).
 *
 * The relay can also copy the stream to a second address (a receiver decoding the camera directly)
 * for the delay without the MCU.
 */
import * as dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift-rtp';
import { isRtcpDatagram, readRtpPacket } from '@mcu/media-mixer';
import { startVideoCall, VideoAnswer, VideoCall } from '../../test/support/video-call';
import { FfmpegChild } from '../../test/support/video-ffmpeg';
import { ColourName } from '../../test/support/video-picture';
import { colourSenderArgs } from '../../test/support/video-sender';
import { bindLoopbackUdp, closeUdpSocket, freeUdpPortRange, LOOPBACK, PORT_REGIONS, PortRange, releasePortRange } from '../../test/support/ports';

/** Options of {@link SwitchingCamera.start}. */
export interface SwitchingCameraOptions {
  label: string;
  sipAddress: string;
  roomNumber: string;
  /** The two colours it alternates between; it starts with the first. */
  colours: readonly [ColourName, ColourName];
  width: number;
  height: number;
  frameRate: number;
  /** Also send every relayed packet here (a direct receiver). */
  mirror?: { address: string; port: number };
}

/** One completed switch. */
export interface ColourSwitch {
  /** The colour now sent. */
  colour: ColourName;
  /** `performance.now()` ms when the first packet of its first picture was sent. */
  sentAt: number;
}

/** NAL unit types (RFC 6184 §5.2, H.264 Table 7-1). */
const NAL_IDR = 5;
const NAL_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/** True when an H.264 RTP payload begins an IDR access unit (SPS or IDR first, RFC 6184 §5.6–5.8). */
export function startsIdrPicture(payload: Buffer): boolean {
  if (payload.length < 2) return false;
  const type = payload[0] & 0x1f;
  if (type === NAL_SPS || type === NAL_IDR) return true;
  if (type === STAP_A) {
    // First aggregated unit: 16-bit size, then its NAL header.
    return payload.length >= 4 && [NAL_SPS, NAL_IDR].includes(payload[3] & 0x1f);
  }
  if (type === FU_A) return (payload[1] & 0x80) !== 0 && (payload[1] & 0x1f) === NAL_IDR;
  return false;
}

interface Source {
  colour: ColourName;
  ffmpeg: FfmpegChild;
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
  /** Added to the source's RTP timestamps, mod 2^32. */
  timestampOffset: number;
  lastTimestamp: number | undefined;
}

/** See the file comment. */
export class SwitchingCamera {
  /** Packets relayed to the MCU. */
  relayed = 0;
  private active = 0;
  /** Index of the source to switch to, and the packets held while the old picture finishes. */
  private pending: { index: number; held: RtpPacket[]; resolve: (s: ColourSwitch | undefined) => void } | undefined;
  private sequence = randomBytes(2).readUInt16BE(0);
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  private lastOutTimestamp: number | undefined;
  /** The last relayed packet ended a picture (marker bit). */
  private atPictureEnd = true;
  private left = false;

  private constructor(
    readonly options: SwitchingCameraOptions,
    readonly call: VideoCall,
    readonly answer: VideoAnswer,
    private readonly out: dgram.Socket,
    private readonly outRtcp: dgram.Socket,
    private readonly sources: Source[],
    private readonly ports: PortRange,
  ) {
    sources.forEach((source, index) => source.rtp.on('message', (msg: Buffer) => this.onSourcePacket(index, msg)));
  }

  /** The colour being sent. */
  get colour(): ColourName {
    return this.sources[this.active].colour;
  }

  /**
   * Dials the room (sendonly H.264), waits for the answer and starts both colour streams.
   * @throws Error when the call fails or the MCU refuses the video; everything started is stopped.
   */
  static async start(o: SwitchingCameraOptions): Promise<SwitchingCamera> {
    // [0,1] the offered pair (relay → MCU); [2,3] and [4,5] relay inputs; [6,7] and [8,9] ffmpeg's own.
    const ports = await freeUdpPortRange({ count: 10, region: PORT_REGIONS.peers });
    const sockets: dgram.Socket[] = [];
    const ffmpegs: FfmpegChild[] = [];
    let call: VideoCall | undefined;
    try {
      const bound = async (port: number) => {
        const s = await bindLoopbackUdp(port);
        sockets.push(s);
        return s;
      };
      const out = await bound(ports.min);
      const outRtcp = await bound(ports.min + 1);
      outRtcp.on('message', () => undefined); // the MCU's RR/PLI: ffmpeg senders take no requests
      call = await startVideoCall({
        label: `switch-${o.label}`,
        sipAddress: o.sipAddress,
        roomNumber: o.roomNumber,
        displayName: o.label,
        codec: 'H264',
        videoPort: ports.min,
        direction: 'sendonly',
      });
      const answer = await call.answer();
      if (answer.port === 0 || answer.direction === 'sendonly' || answer.direction === 'inactive') {
        throw new Error(`${o.label}: the MCU did not accept sendonly H.264 video (port ${answer.port}, direction ${answer.direction})`);
      }
      const sources: Source[] = [];
      for (let i = 0; i < 2; i++) {
        const rtp = await bound(ports.min + 2 + 2 * i);
        const rtcp = await bound(ports.min + 3 + 2 * i);
        rtcp.on('message', () => undefined);
        const ffmpeg = FfmpegChild.start({
          label: `switch-${o.label}-${o.colours[i]}`,
          args: colourSenderArgs({
            colour: o.colours[i],
            codec: 'H264',
            width: o.width,
            height: o.height,
            frameRate: o.frameRate,
            localPort: ports.min + 6 + 2 * i,
            remoteAddress: LOOPBACK,
            remotePort: ports.min + 2 + 2 * i,
            ssrc: randomBytes(4).readUInt32BE(0),
          }),
        });
        ffmpegs.push(ffmpeg);
        sources.push({ colour: o.colours[i], ffmpeg, rtp, rtcp, timestampOffset: 0, lastTimestamp: undefined });
      }
      return new SwitchingCamera(o, call, answer, out, outRtcp, sources, ports);
    } catch (err) {
      await call?.kill();
      await Promise.all(ffmpegs.map((f) => f.stop()));
      await Promise.all(sockets.map(closeUdpSocket));
      releasePortRange(ports);
      throw err;
    }
  }

  /**
   * Switches to the other colour at the other stream's next IDR picture.
   * @returns when the first packet of the new colour was sent, or undefined when no IDR came
   *   within `timeoutMs` (the camera then keeps its colour)
   */
  switchColour(timeoutMs = 3000): Promise<ColourSwitch | undefined> {
    if (this.pending) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.pending = {
        index: 1 - this.active,
        held: [],
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      };
    });
  }

  /** Hangs up (BYE), stops both ffmpegs and closes every socket. Never throws. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    this.pending?.resolve(undefined);
    this.pending = undefined;
    await this.call.hangUp();
    await Promise.all(this.sources.map((s) => s.ffmpeg.stop()));
    await Promise.all([this.out, this.outRtcp, ...this.sources.flatMap((s) => [s.rtp, s.rtcp])].map(closeUdpSocket));
    releasePortRange(this.ports);
  }

  /** `ffmpeg …` status of both sources, for messages. */
  describe(): string {
    return this.sources.map((s) => `${s.colour}: ${s.ffmpeg.describe(5)}`).join('\n');
  }

  private onSourcePacket(index: number, msg: Buffer): void {
    if (this.left || isRtcpDatagram(msg)) return;
    let packet: RtpPacket;
    try {
      packet = readRtpPacket(msg);
    } catch {
      return;
    }
    const source = this.sources[index];
    const newPicture = source.lastTimestamp !== packet.header.timestamp;
    source.lastTimestamp = packet.header.timestamp;
    const pending = this.pending;
    if (pending && index === pending.index) {
      if (pending.held.length === 0 && !(newPicture && startsIdrPicture(packet.payload))) return;
      pending.held.push(packet);
      if (this.atPictureEnd) this.completeSwitch();
      return;
    }
    if (index !== this.active) return;
    this.relay(source, packet);
    if (this.pending && this.pending.held.length > 0 && this.atPictureEnd) this.completeSwitch();
  }

  private completeSwitch(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const source = this.sources[pending.index];
    // The new picture follows the last one sent by one frame interval (90 kHz clock).
    const step = Math.round(90000 / this.options.frameRate);
    const first = pending.held[0].header.timestamp;
    source.timestampOffset = this.lastOutTimestamp === undefined ? 0 : (this.lastOutTimestamp + step - first) >>> 0;
    this.active = pending.index;
    const sentAt = performance.now();
    for (const packet of pending.held) this.relay(source, packet);
    pending.resolve({ colour: source.colour, sentAt });
  }

  private relay(source: Source, packet: RtpPacket): void {
    const timestamp = (packet.header.timestamp + source.timestampOffset) >>> 0;
    const header = new RtpHeader({
      payloadType: packet.header.payloadType,
      sequenceNumber: this.sequence,
      timestamp,
      marker: packet.header.marker,
      ssrc: this.ssrc,
    });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.lastOutTimestamp = timestamp;
    this.atPictureEnd = packet.header.marker;
    const datagram = new RtpPacket(header, packet.payload).serialize();
    this.out.send(datagram, this.answer.port, this.answer.address || LOOPBACK);
    if (this.options.mirror) this.outRtcp.send(datagram, this.options.mirror.port, this.options.mirror.address);
    this.relayed++;
  }
}


