/**
 * The media side of an H.323 call leg, as one small seam between the H.323 bridge and the RTP/mixer plane:
 * a leg holds one RTP/RTCP port pair from Setup to release (RTCP on port + 1, RFC 3550 §11), announces it in
 * the Fast Connect answer or the H.245 OpenLogicalChannel(Ack), and starts sending once the transmit channel
 * names the peer's RTP address (H.323 §8.1.7, H.245 §8.4). When the media plane has video, the leg holds a
 * second port pair for RTP session 2 (video), announced in the video OpenLogicalChannelAck; the video leg
 * starts once a video channel is open in either direction.
 */
import type { H323MediaChannel, H323VideoChannel, VideoCapabilityDescription, VideoCodecName } from '@mcu/h323';
import {
  PIN_PROMPT_TONE,
  PortRangeExhaustedError,
  type AudioLegParams,
  type LegAllocation,
  type VideoLegParams,
  type VideoPayloadFormat,
} from '@mcu/media-mixer';
import type { ConferenceMedia } from '../conference/conference-media';
import { errorFields } from '../logging/logger';
import { MediaPortsExhaustedError } from './media-port-source';

/** One leg's media: where we receive RTP, and what to do when the channels open and the call ends. */
export interface H323LegMedia {
  /** Address announced to the peer (MCU_PUBLIC_IP). */
  readonly address: string;
  /** Our even RTP port (RTCP on `rtpPort + 1`). */
  readonly rtpPort: number;
  /**
   * The transmit channel opened: RTP goes to `channel.remoteRtp` with `channel.codec` (payload type
   * `channel.payloadType`, 8000 Hz RTP clock, `channel.framesPerPacket` ms per packet). Called at most once per
   * open transmit channel; never throws (failures are logged).
   */
  start(roomId: string, participantId: string, channel: H323MediaChannel): void;
  /**
   * The caller is connected but not in a room yet (keying the room PIN): the PIN prompt tone (two 200 ms
   * beeps of 1000 Hz every 3 s) goes to `channel.remoteRtp` until `start`, `stopPrompt` or `release`.
   * Never throws (failures are logged).
   */
  prompt(channel: H323MediaChannel): void;
  /** Ends the prompt tone (the ports stay held); no-op without one. */
  stopPrompt(): void;
  /** The video side, when the media plane has video and a second port pair was free. */
  readonly video?: H323LegVideo;
  /** Stops sending and gives the ports back (video too); safe to call twice. */
  release(): void;
}

/** The video side of one leg: its own port pair (RTP session 2) and the room's video for the participant. */
export interface H323LegVideo {
  /** Our even video RTP port (RTCP on `rtpPort + 1`), on the leg's `address`. */
  readonly rtpPort: number;
  /** The video codecs accepted in the caller's Fast Connect proposals (those the media plane has). */
  readonly fastStartCodecs: readonly VideoCodecName[];
  /**
   * The open video channels changed: starts or updates the participant's video leg (see
   * {@link h323VideoLegParams}); with neither channel open, suspends it. Never throws (failures are logged).
   */
  update(participantId: string, channels: { send?: H323VideoChannel; receive?: H323VideoChannel }): void;
  /** The endpoint asked for an intra picture (H.245 videoFastUpdatePicture): the participant's encoder makes one. */
  keyframeRequested(participantId: string): void;
  /** Calls `listener` whenever the room wants an intra picture from this participant's camera; returns the unsubscribe. */
  onKeyframeWanted(participantId: string, listener: () => void): () => void;
}

/** Hands out leg media. */
export interface H323MediaSource {
  /**
   * Ports for one leg.
   * @throws MediaPortsExhaustedError when the RTP range is used up (the call is rejected with gatewayResources, cause 47)
   */
  allocate(): Promise<H323LegMedia>;
}

/** The logging calls the media source makes. */
interface MediaLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The video calls of the media plane the H.323 legs use (`ConferenceMedia`'s video methods). */
export interface H323VideoPlane {
  /** Starts or updates the participant's video leg on `allocation`. */
  connectVideo(participantId: string, allocation: LegAllocation, params: VideoLegParams): void;
  /** Stops the participant's video leg (its camera leaves the composite; the ports stay held). */
  suspendVideo(participantId: string): void;
  /** The participant asked for an intra picture of the composite it receives. */
  requestKeyframe(participantId: string): void;
  /** The room wants an intra picture from a participant's camera; returns the unsubscribe. */
  onVideoKeyframeRequest(listener: (participantId: string) => void): () => void;
  /** Whether the media plane decodes and encodes `format` (ffmpeg found, codec built in). */
  supportsVideoCodec(format: VideoPayloadFormat): boolean;
}

/** The media plane as the H.323 legs use it (`ConferenceMedia` fits); without the video calls, legs are audio only. */
export type H323MediaPlane = Pick<ConferenceMedia, 'allocate' | 'connect' | 'prompt' | 'stopPrompt'> & Partial<H323VideoPlane>;

/** maxBitRate (100 bit/s) we announce for video we receive and send: 1 Mbit/s (H.263's field allows 19200 at most). */
export const H323_VIDEO_MAX_BIT_RATE = 10_000;
/** H.241 level we announce for H.264: 3.1 (71), Constrained Baseline. */
export const H323_H264_LEVEL = 71;
/** Shortest interval between two videoFastUpdatePicture we send on one call, ms (the room repeats its requests). */
export const VFU_MIN_INTERVAL_MS = 500;

/**
 * The video capabilities the MCU announces on H.323 (H.245 §6.2.8), for the formats `supports` accepts, in
 * preference order: H.264 Baseline level 3.1 (H.241) and H.263 SQCIF/QCIF/CIF at up to 29.97 pictures/s
 * (RFC 2190), each at 1 Mbit/s. Empty when the media plane has no video.
 */
export function h323VideoCapabilities(supports: ((format: VideoPayloadFormat) => boolean) | undefined): VideoCapabilityDescription[] {
  if (!supports) return [];
  const out: VideoCapabilityDescription[] = [];
  if (supports('H264')) out.push({ codec: 'h264', maxBitRate: H323_VIDEO_MAX_BIT_RATE, profile: 64, level: H323_H264_LEVEL });
  if (supports('H263')) out.push({ codec: 'h263', maxBitRate: H323_VIDEO_MAX_BIT_RATE, sqcifMPI: 1, qcifMPI: 1, cifMPI: 1 });
  return out;
}

/**
 * The media plane's parameters for a participant's H.323 video (H.245 §8.4, H.241 for H.264): RTP to our transmit
 * channel's `remoteRtp` (RTCP to its `remoteRtcp`, else RTP port + 1), no rtcp-mux; the payload type, format,
 * picture size and bitrate (maxBitRate × 100 bits/s) of that channel; H.264 in its packetization mode (H.241
 * §8.3.2; single NAL unit unless the channel says otherwise) at the channel's profile-level-id (a channel
 * without maxBitRate leaves the media plane's default bitrate); no RTCP
 * feedback (keyframes are asked with H.245 videoFastUpdatePicture). `sendrecv` with both channels, `sendonly`
 * with ours only; with the peer's channel only, `recvonly` towards its RTCP address (RTP port = RTCP − 1).
 * @returns undefined when no channel names an address to use
 */
export function h323VideoLegParams(channels: { send?: H323VideoChannel; receive?: H323VideoChannel }): VideoLegParams | undefined {
  const { send, receive } = channels;
  const main = send ?? receive;
  if (!main) return undefined;
  let remote: { address: string; rtp: number; rtcp: number } | undefined;
  if (send?.remoteRtp) remote = { address: send.remoteRtp.address, rtp: send.remoteRtp.port, rtcp: send.remoteRtcp?.port ?? send.remoteRtp.port + 1 };
  else if (!send && receive?.remoteRtcp) remote = { address: receive.remoteRtcp.address, rtp: receive.remoteRtcp.port - 1, rtcp: receive.remoteRtcp.port };
  if (!remote) return undefined;
  return {
    remoteAddress: remote.address,
    remotePort: remote.rtp,
    remoteRtcpPort: remote.rtcp,
    rtcpMux: false,
    payloadType: main.payloadType,
    codec: main.codec,
    clockRate: 90000,
    direction: send && receive ? 'sendrecv' : send ? 'sendonly' : 'recvonly',
    ...(main.codec === 'H264'
      ? { h264: { packetizationMode: main.packetizationMode ?? 0, ...(main.profileLevelId ? { profileLevelId: main.profileLevelId } : {}) } }
      : {}),
    // A channel without maxBitRate (0) leaves the media plane's default.
    ...(main.maxBitrateBps > 0 ? { maxBitrateBps: main.maxBitrateBps } : {}),
    width: main.width,
    height: main.height,
    feedback: { pli: false, fir: false },
  };
}

/**
 * The media plane's parameters for an open H.323 transmit channel: RTP to `remoteRtp`, RTCP to `remoteRtcp`
 * (else RTP port + 1, RFC 3550 §11), no rtcp-mux (H.323 has none), the static payload type, 8000 Hz, mono,
 * `framesPerPacket` ms per packet (one G.711/G.722 "frame" is 1 ms in H.245 maxAl-sduAudioFrames).
 * @returns undefined when the channel names no RTP address
 */
export function h323AudioLegParams(channel: H323MediaChannel): AudioLegParams | undefined {
  const rtp = channel.remoteRtp;
  if (!rtp) return undefined;
  return {
    remoteAddress: rtp.address,
    remotePort: rtp.port,
    remoteRtcpPort: channel.remoteRtcp?.port ?? rtp.port + 1,
    rtcpMux: false,
    payloadType: channel.payloadType,
    codec: channel.codec,
    clockRate: channel.clockRate,
    channels: 1,
    ptimeMs: channel.framesPerPacket,
    direction: 'sendrecv',
  };
}

/**
 * {@link H323MediaSource} over the media plane: each leg is a `MediaEngine` leg allocation, started in the
 * participant's room (mixed with everyone else, sent the mix of the others) when the transmit channel opens,
 * released with the call (RTCP BYE, ports back).
 */
export class EngineMediaSource implements H323MediaSource {
  constructor(
    private readonly media: H323MediaPlane,
    private readonly logger: MediaLogger,
  ) {}

  /** @throws MediaPortsExhaustedError when MCU_RTP_PORT_MIN..MAX is used up; other bind errors as thrown by the engine */
  async allocate(): Promise<H323LegMedia> {
    let allocation: LegAllocation;
    try {
      allocation = await this.media.allocate();
    } catch (err) {
      if (err instanceof PortRangeExhaustedError) throw new MediaPortsExhaustedError(err.message);
      throw err;
    }
    const { media, logger } = this;
    const video = await this.allocateVideo();
    return {
      address: allocation.localAddress,
      rtpPort: allocation.localPort,
      ...(video ? { video } : {}),
      start(roomId, participantId, channel) {
        const params = h323AudioLegParams(channel);
        if (!params) {
          logger.warn({ roomId, participantId }, 'H.323 transmit channel without an RTP address');
          return;
        }
        try {
          media.connect(participantId, allocation, params);
          logger.info({ roomId, participantId, legId: allocation.legId, codec: params.codec, remote: `${params.remoteAddress}:${params.remotePort}` }, 'H.323 audio leg started');
        } catch (err) {
          logger.warn({ roomId, participantId, ...errorFields(err) }, 'H.323 audio leg not started');
        }
      },
      prompt(channel) {
        const params = h323AudioLegParams(channel);
        if (!params) return;
        try {
          media.prompt(allocation, params, PIN_PROMPT_TONE);
        } catch (err) {
          logger.warn({ legId: allocation.legId, ...errorFields(err) }, 'H.323 PIN prompt tone not started');
        }
      },
      stopPrompt: () => media.stopPrompt(allocation),
      release: () => {
        video?.release();
        allocation.release();
      },
    };
  }

  /** The video announced on H.323 calls now (see {@link h323VideoCapabilities}). */
  videoCapabilities(): VideoCapabilityDescription[] {
    const media = this.media;
    if (!media.connectVideo || !media.supportsVideoCodec) return [];
    return h323VideoCapabilities((format) => media.supportsVideoCodec?.(format) ?? false);
  }

  /** A second port pair for video when the plane has video; none (audio only, logged) when the range is used up. */
  private async allocateVideo(): Promise<(H323LegVideo & { release(): void }) | undefined> {
    const media = this.media;
    const plane = media as Partial<H323VideoPlane>;
    const capabilities = this.videoCapabilities();
    if (capabilities.length === 0 || !plane.connectVideo || !plane.suspendVideo || !plane.requestKeyframe || !plane.onVideoKeyframeRequest) return undefined;
    const { connectVideo, suspendVideo, requestKeyframe, onVideoKeyframeRequest } = plane as H323VideoPlane;
    let allocation: LegAllocation;
    try {
      allocation = await media.allocate();
    } catch (err) {
      this.logger.warn({ ...errorFields(err) }, 'no RTP ports left for video: the H.323 call is audio only');
      return undefined;
    }
    const logger = this.logger;
    let started: string | undefined;
    return {
      rtpPort: allocation.localPort,
      fastStartCodecs: capabilities.map((c) => c.codec),
      update(participantId, channels) {
        const params = h323VideoLegParams(channels);
        try {
          if (!params) {
            if (started === participantId) suspendVideo.call(media, participantId);
            started = undefined;
            return;
          }
          connectVideo.call(media, participantId, allocation, params);
          started = participantId;
          logger.info({ participantId, legId: allocation.legId, codec: params.codec, payloadType: params.payloadType, size: `${params.width}x${params.height}`, maxBitrateBps: params.maxBitrateBps, direction: params.direction }, 'H.323 video leg started');
        } catch (err) {
          logger.warn({ participantId, ...errorFields(err) }, 'H.323 video leg not started');
        }
      },
      keyframeRequested(participantId) {
        try {
          requestKeyframe.call(media, participantId);
        } catch (err) {
          logger.warn({ participantId, ...errorFields(err) }, 'H.323 keyframe request not passed on');
        }
      },
      onKeyframeWanted(participantId, listener) {
        return onVideoKeyframeRequest.call(media, (id) => {
          if (id === participantId) listener();
        });
      },
      release: () => allocation.release(),
    };
  }
}
