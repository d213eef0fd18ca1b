/**
 * A viewer for end-to-end tests: a SIPp video call offering `recvonly` video on the port pair of a
 * {@link VideoReceiver}, which records, depacketizes and decodes what the MCU sends and can send it
 * PLIs at the RTCP port of the MCU's answer.
 */
import { performance } from 'node:perf_hooks';
import { startVideoCall, VideoAnswer, VideoCall } from './video-call';
import { TestVideoCodec, VideoReceiver } from './video-receiver';
import { LOOPBACK } from './ports';

/** Options of {@link Viewer.join}. */
export interface ViewerOptions {
  label: string;
  sipAddress: string;
  roomNumber: string;
  codec: TestVideoCodec;
  /** Size the decoded pictures are scaled to (default 640×360). */
  width?: number;
  height?: number;
}

/** A participant that receives the composite and sends no video. */
export class Viewer {
  private left = false;

  private constructor(
    readonly options: ViewerOptions,
    readonly receiver: VideoReceiver,
    readonly call: VideoCall,
    /** The MCU's SDP answer for video. */
    readonly answer: VideoAnswer,
    /** When the 200 OK was read, `performance.now()` ms. */
    readonly answeredAt: number,
  ) {}

  /** First RTP packet, first key frame and first decoded picture, in ms after the 200 OK (for logs). */
  startupFigures(): string {
    const r = this.receiver;
    const ms = (t: number | undefined) => (t === undefined ? 'none' : `${Math.round(t - this.answeredAt)} ms`);
    return `first RTP ${ms(r.arrivals[0])}, first key frame ${ms(r.keyframes[0]?.completedAt)}, first picture ${ms(r.firstPictureAt)} after the 200 OK`;
  }

  /**
   * Opens the receiver, dials the room and waits for the 200 OK.
   * @throws Error when the call fails or the MCU does not send video (port 0, or a direction in
   *   which it does not send); everything started is stopped before throwing.
   */
  static async join(options: ViewerOptions): Promise<Viewer> {
    const receiver = await VideoReceiver.open({ label: options.label, codec: options.codec, width: options.width, height: options.height });
    let call: VideoCall | undefined;
    try {
      call = await startVideoCall({
        label: `view-${options.label}`,
        sipAddress: options.sipAddress,
        roomNumber: options.roomNumber,
        displayName: options.label,
        codec: options.codec,
        videoPort: receiver.rtpPort,
        direction: 'recvonly',
      });
      const answer = await call.answer();
      const answeredAt = performance.now();
      if (answer.port === 0 || answer.direction === 'recvonly' || answer.direction === 'inactive') {
        throw new Error(
          `${options.label}: the MCU does not send us ${options.codec} video (port ${answer.port}, direction ${answer.direction}); SDP answer:\n${answer.sdp}`,
        );
      }
      receiver.setRemote(answer.address || LOOPBACK, answer.port, answer.rtcpPort);
      return new Viewer(options, receiver, call, answer, answeredAt);
    } catch (err) {
      await call?.kill();
      await receiver.close();
      throw err;
    }
  }

  /** Leaves: BYE, then closes the receiver. Never throws. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    await this.call.hangUp();
    await this.receiver.close();
  }

  /** Cleanup after failures (same as `leave()`). */
  dispose(): Promise<void> {
    return this.leave();
  }
}
