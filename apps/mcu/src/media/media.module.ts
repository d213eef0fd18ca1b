/**
 * The media plane as a Nest module: one `MediaEngine` over MCU_RTP_PORT_MIN..MAX (sockets bound on
 * MCU_SIP_HOST, or all interfaces when that is a wildcard; MCU_PUBLIC_IP in SDP and the RTCP CNAME),
 * with libopus, and the `ConferenceMedia` that wires it to the conference. Both are global, so the
 * signalling modules and the REST layer inject them by class. ffmpeg is located once before the
 * engine is built (`locateVideo`): without it the engine runs audio only and says why in the log.
 *
 * Shutdown order: `ConferenceModule.beforeApplicationShutdown` hangs up every call (SIP BYE first);
 * this module's `onApplicationShutdown` then closes the engine (RTCP BYE on the legs still running,
 * every port released).
 */
import { Global, Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MediaEngine, type VideoPayloadFormat } from '@mcu/media-mixer';
import { ConferenceManager } from '../conference/conference-manager';
import { ConferenceMedia } from '../conference/conference-media';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { HealthRegistry } from '../health/health-registry';
import { createLogger } from '../logging/logger';
import { createOpusBinding } from './opus-binding';
import { locateVideo, type VideoSetup } from './video-setup';

/** The engine for `config` with the video pipeline of `video` (no sockets bound until the first leg). */
export function createMediaEngine(config: McuConfig, video: VideoSetup = {}): MediaEngine {
  return new MediaEngine({
    ...video,
    portMin: config.rtp.portMin,
    portMax: config.rtp.portMax,
    host: config.sip.host,
    publicAddress: config.publicIp,
    opus: createOpusBinding,
    logger: createLogger('media'),
  });
}

/** The formats the health probe lists (those the engine can encode). */
const VIDEO_FORMATS: readonly VideoPayloadFormat[] = ['H264', 'VP8', 'H263-1998', 'H263', 'H261'];

/** Provides `MediaEngine` and `ConferenceMedia`; reports RTP port usage in `/health`. */
@Global()
@Module({
  providers: [
    {
      provide: MediaEngine,
      inject: [MCU_CONFIG],
      useFactory: async (config: McuConfig) => createMediaEngine(config, await locateVideo({ logger: createLogger('video') })),
    },
    {
      provide: ConferenceMedia,
      inject: [ConferenceManager, MediaEngine],
      useFactory: (conference: ConferenceManager, engine: MediaEngine) => new ConferenceMedia(conference, engine, createLogger('conference-media')),
    },
  ],
  exports: [MediaEngine, ConferenceMedia],
})
export class MediaModule implements OnModuleInit, OnApplicationShutdown {
  private unregister?: () => void;

  constructor(
    private readonly engine: MediaEngine,
    private readonly media: ConferenceMedia,
    private readonly health: HealthRegistry,
    @Inject(MCU_CONFIG) private readonly config: McuConfig,
  ) {}

  /** Registers the `media` health probe; gives the media plane the stored room layouts. */
  onModuleInit(): void {
    void this.media.loadLayouts();
    this.unregister = this.health.register('media', () => ({
      status: 'up',
      rtpPorts: this.engine.portUsage(),
      range: `${this.config.rtp.portMin}-${this.config.rtp.portMax}`,
      rooms: this.engine.roomIds().length,
      opus: this.engine.supportsCodec('opus'),
      video: VIDEO_FORMATS.filter((f) => this.engine.supportsVideoCodec(f)),
    }));
  }

  /** After the calls were hung up: RTCP BYE on remaining legs, ports released. */
  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    this.media.close();
    await this.engine.close();
  }
}
