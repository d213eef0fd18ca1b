/**
 * The events an {@link H245Session} emits, and the small typed emitter behind them (a listener's exception is
 * logged where it is emitted and never reaches the protocol code).
 */
import type { AudioCodecName } from './capabilities';
import { errorFields, type H245Logger } from './h245-logger';
import type { ChannelReleaseReason, OlcRejectCause } from './logical-channel';
import type { MediaAddress } from './media-address';
import type { ParsedOlc, VideoRtpFormat } from './open-logical-channel';
import type { RemoteCapabilities } from './remote-capabilities';
import type { UserInputEvent } from './user-input';
import type { VideoCapabilityDescription } from './video-capabilities';

/** What a video logical channel carries (H.245 §6.2.8 videoData of H2250 session 2). */
export interface VideoChannelMedia {
  /** Codec, picture sizes (H.263) or level (H.264), maxBitRate (100 bit/s). */
  readonly video: VideoCapabilityDescription;
  /** RTP payload format. */
  readonly format: VideoRtpFormat;
  /** RTP payload type: the dynamicRTPPayloadType, else 34 for RFC 2190 H.263. */
  readonly payloadType: number;
  /** H.264 only: the RTP packetization mode (H.241 §8.3.2). */
  readonly packetizationMode?: 0 | 1;
  /** RTP session ID (2; a 0 from a slave is answered as 2). */
  readonly sessionId: number;
}

/** An OpenLogicalChannel for video from the remote that passed our checks; the owner accepts or rejects it. */
export interface OpenVideoChannelRequest extends VideoChannelMedia {
  readonly channelNumber: number;
  /** The remote's RTCP address (mediaControlChannel), when given. */
  readonly remoteRtcp?: MediaAddress;
  readonly olc: ParsedOlc;
  /**
   * Sends OpenLogicalChannelAck with our video RTP and RTCP addresses (H.245 §5.3). False when no longer pending.
   * @throws RangeError when an address is not IPv4 or a port is out of range.
   */
  accept(local: { rtp: MediaAddress; rtcp: MediaAddress }): boolean;
  /** Sends OpenLogicalChannelReject with `cause` (default unspecified). False when no longer pending. */
  reject(cause?: OlcRejectCause): boolean;
}

/** A video logical channel that is open in one direction. */
export interface VideoChannelEstablished extends VideoChannelMedia {
  readonly direction: 'transmit' | 'receive';
  readonly channelNumber: number;
  /** Transmit: where we send RTP (the ack's mediaChannel). */
  readonly remoteRtp?: MediaAddress;
  readonly remoteRtcp?: MediaAddress;
}

/** An OpenLogicalChannel from the remote that passed our checks; the owner accepts or rejects it. */
export interface OpenChannelRequest {
  readonly channelNumber: number;
  readonly codec: AudioCodecName;
  /** ms of audio per packet the remote will send. */
  readonly framesPerPacket: number;
  /** RTP session ID (1 for audio; a 0 from a slave is answered as 1). */
  readonly sessionId: number;
  /** The remote's RTCP address (mediaControlChannel), when given. */
  readonly remoteRtcp?: MediaAddress;
  readonly olc: ParsedOlc;
  /**
   * Sends OpenLogicalChannelAck with our RTP and RTCP addresses (H.245 §5.3). Returns false when the request is
   * no longer pending (closed or replaced by the remote meanwhile, or already answered).
   * @throws RangeError when an address is not IPv4 or a port is out of range.
   */
  accept(local: { rtp: MediaAddress; rtcp: MediaAddress }): boolean;
  /** Sends OpenLogicalChannelReject with `cause` (default unspecified). Returns false when no longer pending. */
  reject(cause?: OlcRejectCause): boolean;
}

/** A logical channel that is open in one direction. */
export interface ChannelEstablished {
  /** 'transmit': we send (our OLC was acknowledged); 'receive': the remote sends (we acknowledged its OLC). */
  readonly direction: 'transmit' | 'receive';
  readonly channelNumber: number;
  readonly codec: AudioCodecName;
  /** ms of audio per packet. */
  readonly framesPerPacket: number;
  readonly sessionId: number;
  /** Transmit: where we send RTP (the ack's mediaChannel). */
  readonly remoteRtp?: MediaAddress;
  /** The remote's RTCP address. */
  readonly remoteRtcp?: MediaAddress;
}

/** A logical channel that ended, or one of ours that never opened. */
export interface ChannelClosed {
  readonly direction: 'transmit' | 'receive';
  /** What the channel carried ('audio' also for channels never understood). */
  readonly kind: 'audio' | 'video';
  readonly channelNumber: number;
  readonly reason: ChannelReleaseReason;
  /** OpenLogicalChannelReject cause, for reason 'rejected'. */
  readonly cause?: string;
}

/** A procedure that failed (the session keeps running; the owner may clear the call). */
export interface H245ProtocolError {
  readonly procedure: 'master-slave' | 'capability-exchange' | 'logical-channel' | 'request-channel-close' | 'round-trip-delay' | 'message';
  /** SDL error code (A–F) or the timer that expired. */
  readonly code?: string;
  readonly reason: string;
}

/** Event name → listener arguments. */
export interface H245SessionEvents {
  'remote-capabilities': [RemoteCapabilities];
  'master-slave': [{ readonly isMaster: boolean }];
  /**
   * Once per session, when H.323 phase B is complete (H.323 §8.2): the remote capabilities are known, our set was
   * acknowledged and master-slave determination succeeded. Open logical channels now (phase C, H.323 §8.3).
   */
  ready: [{ readonly isMaster: boolean; readonly remoteCapabilities: RemoteCapabilities }];
  'open-channel-request': [OpenChannelRequest];
  'channel-established': [ChannelEstablished];
  /** A video OpenLogicalChannel (H.245 §8.4) the owner accepts with its video RTP/RTCP addresses, or rejects. */
  'open-video-channel-request': [OpenVideoChannelRequest];
  'video-channel-established': [VideoChannelEstablished];
  'channel-closed': [ChannelClosed];
  'user-input': [UserInputEvent];
  /** MiscellaneousCommand videoFastUpdatePicture/GOB/MB for `channel` (a channel we transmit on, H.245 §6.2.16). */
  'video-fast-update': [{ readonly channel: number }];
  'end-session': [];
  'round-trip': [{ readonly ms: number }];
  'protocol-error': [H245ProtocolError];
}

type Listener<E extends keyof H245SessionEvents> = (...args: H245SessionEvents[E]) => void;

/** Typed `on`/`off`/`emit` whose `emit` never throws. */
export class H245EventEmitter {
  private readonly listeners = new Map<keyof H245SessionEvents, Array<(...args: never[]) => void>>();

  constructor(private readonly logger: H245Logger) {}

  /** Adds a listener. */
  on<E extends keyof H245SessionEvents>(event: E, listener: Listener<E>): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as (...args: never[]) => void);
    this.listeners.set(event, list);
    return this;
  }

  /** Removes a listener. */
  off<E extends keyof H245SessionEvents>(event: E, listener: Listener<E>): this {
    const list = this.listeners.get(event);
    const i = list ? list.indexOf(listener as (...args: never[]) => void) : -1;
    if (list && i >= 0) list.splice(i, 1);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof H245SessionEvents): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Removes every listener. */
  removeAll(): void {
    this.listeners.clear();
  }

  /** Calls the listeners in order; their exceptions are logged. */
  emit<E extends keyof H245SessionEvents>(event: E, ...args: H245SessionEvents[E]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<E>)(...args);
      } catch (err) {
        this.logger.error({ ...errorFields(err), event }, 'error in H.245 event listener');
      }
    }
  }
}
