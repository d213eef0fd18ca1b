/**
 * A camera for end-to-end tests: a SIPp video call offering `sendonly` video, and an ffmpeg that
 * sends a solid colour (lavfi `color` source, H.264 Constrained Baseline or VP8, a key frame every
 * second) as RTP to the video port of the MCU's answer — from the very port pair the offer named,
 * so that the MCU's symmetric RTP latch sees it come from where the SDP said (RFC 3550 §11: RTCP on
 * the next port).
 */
import { randomBytes } from 'node:crypto';
import { FfmpegChild } from './video-ffmpeg';
import { startVideoCall, VideoAnswer, VideoCall, VIDEO_PAYLOAD_TYPE } from './video-call';
import { ColourName, COLOURS, ffmpegColour } from './video-picture';
import type { TestVideoCodec } from './video-receiver';
import { freeUdpPortRange, LOOPBACK, PORT_REGIONS, releasePortRange } from './ports';

/** Options of {@link ColourSender.start}. */
export interface ColourSenderOptions {
  /** Short name for artifacts and messages (also the display name). */
  label: string;
  /** `host:port` of the MCU's SIP listener. */
  sipAddress: string;
  roomNumber: string;
  colour: ColourName;
  /** Default H264. */
  codec?: TestVideoCodec;
  /** Picture size and rate sent (default 640×360 at 25 frames/s). */
  width?: number;
  height?: number;
  frameRate?: number;
}

/** ffmpeg arguments that send `colour` as RTP from `localPort` (RTCP `localPort + 1`) to `remote`. */
export function colourSenderArgs(o: {
  colour: ColourName;
  codec: TestVideoCodec;
  width: number;
  height: number;
  frameRate: number;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  ssrc: number;
}): string[] {
  const encoder =
    o.codec === 'H264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-bf', '0']
      : ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-auto-alt-ref', '0', '-lag-in-frames', '0'];
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-re', '-f', 'lavfi', '-i', `color=c=${ffmpegColour(COLOURS[o.colour])}:s=${o.width}x${o.height}:r=${o.frameRate}`,
    ...encoder,
    '-pix_fmt', 'yuv420p', '-g', String(o.frameRate), '-b:v', '300k',
    // ffmpeg takes the SSRC as a signed 32-bit integer; the packets carry the same 32 bits.
    '-payload_type', String(VIDEO_PAYLOAD_TYPE), '-ssrc', String(o.ssrc | 0),
    '-f', 'rtp',
    `rtp://${o.remoteAddress}:${o.remotePort}?localrtpport=${o.localPort}&localrtcpport=${o.localPort + 1}&pkt_size=1200`,
  ];
}

/** A participant that sends a solid colour and receives nothing (video `sendonly`). */
export class ColourSender {
  private left = false;

  private constructor(
    readonly options: ColourSenderOptions,
    readonly call: VideoCall,
    /** The MCU's SDP answer for video. */
    readonly answer: VideoAnswer,
    /** The ffmpeg that sends the colour. */
    readonly ffmpeg: FfmpegChild,
    private readonly ports: { min: number; max: number },
  ) {}

  /**
   * Dials the room, waits for the 200 OK and starts sending.
   * @throws Error when the call fails or the MCU refuses video (port 0, or a direction in which it
   *   does not receive); SIPp is stopped before throwing.
   */
  static async start(options: ColourSenderOptions): Promise<ColourSender> {
    const codec = options.codec ?? 'H264';
    const ports = await freeUdpPortRange({ count: 2, region: PORT_REGIONS.peers });
    let call: VideoCall | undefined;
    try {
      call = await startVideoCall({
        label: `send-${options.label}`,
        sipAddress: options.sipAddress,
        roomNumber: options.roomNumber,
        displayName: options.label,
        codec,
        videoPort: ports.min,
        direction: 'sendonly',
      });
      const answer = await call.answer();
      if (answer.port === 0 || answer.direction === 'sendonly' || answer.direction === 'inactive') {
        throw new Error(
          `${options.label}: the MCU did not accept our sendonly ${codec} video (port ${answer.port}, direction ${answer.direction}); SDP answer:\n${answer.sdp}`,
        );
      }
      const ffmpeg = FfmpegChild.start({
        label: `send-${options.label}`,
        args: colourSenderArgs({
          colour: options.colour,
          codec,
          width: options.width ?? 640,
          height: options.height ?? 360,
          frameRate: options.frameRate ?? 25,
          localPort: ports.min,
          remoteAddress: answer.address || LOOPBACK,
          remotePort: answer.port,
          ssrc: randomBytes(4).readUInt32BE(0),
        }),
      });
      return new ColourSender(options, call, answer, ffmpeg, ports);
    } catch (err) {
      await call?.kill();
      releasePortRange(ports);
      throw err;
    }
  }

  /** Leaves the room: BYE, then stops ffmpeg. Never throws. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    await this.call.hangUp();
    await this.ffmpeg.stop();
    releasePortRange(this.ports);
  }

  /** Cleanup after failures: like `leave()` (a BYE still goes out when SIPp lives). */
  dispose(): Promise<void> {
    return this.leave();
  }
}
