/**
 * The media side of an H.323 call leg, as one small seam between the H.323 bridge and the RTP/mixer plane:
 * a leg holds one RTP/RTCP port pair from Setup to release (RTCP on port + 1, RFC 3550 §11), announces it in
 * the Fast Connect answer or the H.245 OpenLogicalChannel(Ack), and starts sending once the transmit channel
 * names the peer's RTP address (H.323 §8.1.7, H.245 §8.4).
 */
import type { H323MediaChannel } from '@mcu/h323';
import { PIN_PROMPT_TONE, PortRangeExhaustedError, type AudioLegParams, type LegAllocation } from '@mcu/media-mixer';
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
  /** Stops sending and gives the ports back; safe to call twice. */
  release(): void;
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

/** The media plane as the H.323 legs use it (`ConferenceMedia` fits). */
export type H323MediaPlane = Pick<ConferenceMedia, 'allocate' | 'connect' | 'prompt' | 'stopPrompt'>;

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
    return {
      address: allocation.localAddress,
      rtpPort: allocation.localPort,
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
      release: () => allocation.release(),
    };
  }
}
