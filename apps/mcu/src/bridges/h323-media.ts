/**
 * The media side of an H.323 call leg, as one small seam between the H.323 bridge and the RTP/mixer plane:
 * a leg holds one RTP/RTCP port pair from Setup to release (RTCP on port + 1, RFC 3550 §11), announces it in
 * the Fast Connect answer or the H.245 OpenLogicalChannel(Ack), and starts sending once the transmit channel
 * names the peer's RTP address (H.323 §8.1.7, H.245 §8.4).
 */
import type { H323MediaChannel } from '@mcu/h323';
import { errorFields } from '../logging/logger';
import type { MediaPortSource } from './media-port-source';

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

/**
 * {@link H323MediaSource} over the RTP port source alone: the leg's ports are held and announced, the channel
 * parameters logged. Used while no mixer engine is wired into the app.
 */
export class PortHoldingMediaSource implements H323MediaSource {
  constructor(
    private readonly ports: MediaPortSource,
    private readonly address: string,
    private readonly logger: MediaLogger,
  ) {}

  /** @throws MediaPortsExhaustedError; other bind errors as thrown by the port source */
  async allocate(): Promise<H323LegMedia> {
    const held = await this.ports.allocate();
    const logger = this.logger;
    return {
      address: this.address,
      rtpPort: held.port,
      start(roomId, participantId, channel) {
        try {
          logger.info({ roomId, participantId, codec: channel.codec, remoteRtp: channel.remoteRtp, localRtpPort: held.port }, 'H.323 transmit channel open');
        } catch (err) {
          logger.warn(errorFields(err), 'H.323 media start failed');
        }
      },
      release: () => held.release(),
    };
  }
}
