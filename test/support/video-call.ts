/**
 * SIP video calls into a room for end-to-end tests, with SIPp running `test/sipp/video-call.xml`:
 * the offer carries audio (SIPp's own media port, silent) and one video m-line on a port the test
 * owns; the SDP answer is read from SIPp's message trace; the call is held until the test hangs
 * up, which it does by sending SIPp a MESSAGE with the call's Call-ID (the scenario answers it with
 * a BYE to the MCU).
 */
import * as dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as sdpTransform from 'sdp-transform';
import { artifactPath, tailOfFile } from './artifacts';
import { LOOPBACK } from './ports';
import { describeSippRun, SippProcess, SippResult, startSipp } from './sipp';
import { delay } from './wait';
import type { TestVideoCodec } from './video-receiver';

/** The dynamic payload type the tests offer for video. */
export const VIDEO_PAYLOAD_TYPE = 96;

/** Options of {@link startVideoCall}. */
export interface VideoCallOptions {
  /** Short name for artifact files. */
  label: string;
  /** `host:port` of the MCU's SIP listener. */
  sipAddress: string;
  /** Room number dialled (Request-URI user part). */
  roomNumber: string;
  /** Display name in From. */
  displayName: string;
  codec: TestVideoCodec;
  /** Video RTP port offered (RTCP on the next one); the test binds it. */
  videoPort: number;
  /** Direction offered for video (RFC 3264 §5.1): a camera `sendonly`, a viewer `recvonly`. */
  direction: 'sendonly' | 'recvonly' | 'sendrecv';
  /** Longest the call may last, ms (SIPp's -timeout); default 120 000. */
  maxDurationMs?: number;
}

/** What the MCU answered for the video m-line. */
export interface VideoAnswer {
  /** Media address (c= of the m-line or the session). */
  address: string;
  /** Video RTP port; 0 when the MCU refused video. */
  port: number;
  /** RTCP port (a=rtcp, else port + 1). */
  rtcpPort: number;
  payloadType: number | undefined;
  /** Encoding name of the answered payload type, e.g. `H264`. */
  encoding: string | undefined;
  fmtp: string | undefined;
  direction: string | undefined;
  /** The whole SDP answer, for messages. */
  sdp: string;
}

/** A held SIPp video call. */
export class VideoCall {
  private ended: SippResult | undefined;

  constructor(
    readonly options: VideoCallOptions,
    /** The running SIPp. */
    readonly sipp: SippProcess,
    /** Call-ID of the call (`-cid_str`). */
    readonly callId: string,
    /** SIPp's message trace file. */
    readonly messagesFile: string,
  ) {}

  /**
   * Waits for the 200 OK of the INVITE in SIPp's message trace and parses its SDP answer.
   * @throws Error (with SIPp's run summary) when SIPp exited first or no 200 came within `timeoutMs`
   */
  async answer(timeoutMs = 15_000): Promise<VideoAnswer> {
    let exited: SippResult | undefined;
    void this.sipp.wait().then((r) => (exited = r));
    const attempts = Math.ceil(timeoutMs / 50);
    for (let i = 0; i < attempts; i++) {
      const sdp = inviteAnswerSdp(this.messagesFile);
      if (sdp !== undefined) return parseVideoAnswer(sdp);
      if (exited) throw new Error(`${this.options.label}: SIPp ended before a 200 OK to the INVITE:\n${describeSippRun(exited)}\n${this.traceTail()}`);
      await delay(50);
    }
    throw new Error(`${this.options.label}: no 200 OK to the INVITE within ${timeoutMs} ms\n${this.traceTail()}`);
  }

  /** The end of SIPp's message trace, for failure messages. */
  traceTail(lines = 40): string {
    return `SIPp message trace ${this.messagesFile} (tail):\n${tailOfFile(this.messagesFile, lines)}`;
  }

  /**
   * Hangs up: makes SIPp send BYE (a MESSAGE with the Call-ID to SIPp's port) and waits for SIPp to
   * exit, at most `timeoutMs`; then stops it anyway. Never throws.
   * @returns SIPp's result (exit code 0 when the BYE got its 200)
   */
  async hangUp(timeoutMs = 5000): Promise<SippResult> {
    if (this.ended) return this.ended;
    let done: SippResult | undefined;
    void this.sipp.wait().then((r) => (done = r));
    await sendHangUpTrigger(this.sipp.localPort, this.callId).catch(() => undefined);
    for (let i = 0; i < Math.ceil(timeoutMs / 50) && !done; i++) {
      if (i > 0 && i % 20 === 0) await sendHangUpTrigger(this.sipp.localPort, this.callId).catch(() => undefined);
      await delay(50);
    }
    this.ended = done ?? (await this.sipp.stop());
    return this.ended;
  }

  /** Ends SIPp without a BYE (for cleanup after failures). Never throws. */
  async kill(): Promise<void> {
    this.ended ??= await this.sipp.stop();
  }
}

/**
 * Starts SIPp with the video scenario and returns at once (the call is set up in the background:
 * await `answer()`).
 */
export async function startVideoCall(options: VideoCallOptions): Promise<VideoCall> {
  const callId = `tessera-video-${randomBytes(6).toString('hex')}`;
  const fmtp =
    options.codec === 'H264'
      ? `a=fmtp:${VIDEO_PAYLOAD_TYPE} packetization-mode=1;profile-level-id=42e01f`
      : `a=fmtp:${VIDEO_PAYLOAD_TYPE} max-fr=30;max-fs=3600`;
  const logFile = artifactPath(`sipp-${options.label}`, '.actions.log');
  const messagesFile = artifactPath(`sipp-${options.label}`, '.messages.log');
  const sipp = await startSipp({
    label: options.label,
    scenario: 'video-call.xml',
    remote: options.sipAddress,
    service: options.roomNumber,
    calls: 1,
    timeoutMs: options.maxDurationMs ?? 120_000,
    // The hold is a <recv> without its own timeout: it must last as long as the call may.
    recvTimeoutMs: options.maxDurationMs ?? 120_000,
    vars: {
      video_port: String(options.videoPort),
      video_pt: String(VIDEO_PAYLOAD_TYPE),
      video_rtpmap: `${options.codec}/90000`,
      video_fmtp: fmtp,
      video_dir: options.direction,
      display: options.displayName,
    },
    extraArgs: ['-cid_str', callId, '-trace_logs', '-log_file', logFile, '-trace_msg', '-message_file', messagesFile],
  });
  return new VideoCall(options, sipp, callId, messagesFile);
}

/**
 * The SDP body of the first `SIP/2.0 200` to `CSeq: 1 INVITE` in a SIPp message trace, or
 * undefined while there is none.
 */
export function inviteAnswerSdp(messagesFile: string): string | undefined {
  if (!fs.existsSync(messagesFile)) return undefined;
  const trace = fs.readFileSync(messagesFile, 'utf8');
  for (const block of trace.split(/^-{20,}.*$/m)) {
    const start = block.search(/^SIP\/2\.0 200/m);
    if (start < 0 || !/message received/i.test(block.slice(0, start))) continue;
    const message = block.slice(start);
    if (!/^CSeq:\s*1\s+INVITE\s*$/im.test(message)) continue;
    const head = /\r?\n\r?\n/.exec(message);
    const length = /^Content-Length:\s*(\d+)/im.exec(message);
    if (!head || !length) continue;
    const body = message.slice(head.index + head[0].length);
    // The trace is written while SIPp runs: wait until the whole body is in.
    if (Buffer.byteLength(body) < Number(length[1])) return undefined;
    return body.replace(/\r\n/g, '\n').trim();
  }
  return undefined;
}

/** Parses the video m-line of an SDP answer (sdp-transform). */
export function parseVideoAnswer(sdp: string): VideoAnswer {
  const session = sdpTransform.parse(sdp);
  const video = session.media.find((m) => m.type === 'video');
  const address = video?.connection?.ip ?? session.connection?.ip ?? '';
  if (!video) return { address, port: 0, rtcpPort: 0, payloadType: undefined, encoding: undefined, fmtp: undefined, direction: undefined, sdp };
  const payloadType = String(video.payloads ?? '').split(' ').map(Number).find((n) => Number.isInteger(n));
  const rtp = video.rtp.find((r) => r.payload === payloadType);
  const fmtp = video.fmtp.find((f) => f.payload === payloadType)?.config;
  return {
    address,
    port: video.port,
    rtcpPort: video.rtcp?.port ?? video.port + 1,
    payloadType,
    encoding: rtp?.codec,
    fmtp,
    direction: video.direction ?? session.direction,
    sdp,
  };
}

/** Sends SIPp the MESSAGE that makes the scenario hang up (from an ephemeral loopback socket). */
function sendHangUpTrigger(sippPort: number, callId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(0, LOOPBACK, () => {
      const local = socket.address().port;
      const message = [
        `MESSAGE sip:sipp@${LOOPBACK}:${sippPort} SIP/2.0`,
        `Via: SIP/2.0/UDP ${LOOPBACK}:${local};branch=z9hG4bK-${randomBytes(6).toString('hex')};rport`,
        'Max-Forwards: 70',
        `From: <sip:test@${LOOPBACK}:${local}>;tag=${randomBytes(4).toString('hex')}`,
        `To: <sip:sipp@${LOOPBACK}:${sippPort}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 MESSAGE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(message, sippPort, LOOPBACK, (err) => {
        socket.close();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}
