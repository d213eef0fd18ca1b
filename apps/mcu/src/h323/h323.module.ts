/**
 * The H.323 signalling of the MCU as a Nest module: the `H323Endpoint` (H.225.0 call signalling on
 * MCU_SIP_HOST:MCU_H323_PORT, H.245 tunnelled or on its own connection, Fast Connect) connected to the
 * conference through the `H323Bridge` (audio and video legs from the media plane's `ConferenceMedia`), and — with MCU_H323_GATEKEEPER — the gatekeeper registration of every
 * room (`H323Gatekeeper`). Reports itself in `/health`. On shutdown the conference module has already hung up
 * every call (ReleaseComplete) in `beforeApplicationShutdown`; this module then unregisters (URQ) and closes
 * the listener, releasing whatever call is still there.
 */
import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AUDIO_CODECS, H323Endpoint, h245SessionPorts } from '@mcu/h323';
import { ConferenceManager } from '../conference/conference-manager';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { HealthRegistry } from '../health/health-registry';
import { createLogger } from '../logging/logger';
import { H323Bridge } from '../bridges/h323-bridge';
import { EngineMediaSource } from '../bridges/h323-media';
import { ConferenceMedia } from '../conference/conference-media';
import { H323Gatekeeper } from './h323-gatekeeper';

/**
 * How long a call may wait for its answer, ms: a caller in a room's lobby waits for an operator, so the MCU
 * leaves it to the caller's own T301 (Q.931 §9.1; 180 s after Alerting in deployed endpoints) to give up.
 */
const ANSWER_TIMEOUT_MS = 180_000;

/**
 * Starts the endpoint in `onModuleInit` (unless MCU_H323_ENABLED is false) and the gatekeeper registration
 * after it (the RRQ carries the bound port); stops both in `onApplicationShutdown`.
 */
@Module({})
export class H323Module implements OnModuleInit, OnApplicationShutdown {
  private endpoint: H323Endpoint | undefined;
  private gatekeeper: H323Gatekeeper | undefined;
  private unregister?: () => void;
  private readonly logger = createLogger('h323');

  constructor(
    private readonly conference: ConferenceManager,
    private readonly health: HealthRegistry,
    private readonly media: ConferenceMedia,
    @Inject(MCU_CONFIG) private readonly config: McuConfig,
  ) {}

  /** Binds the call signalling listener and starts RAS; a bind failure (EADDRINUSE, EACCES) fails the start-up. */
  async onModuleInit(): Promise<void> {
    const { h323, sip, publicIp } = this.config;
    if (!h323.enabled) {
      this.logger.info({}, 'H.323 disabled (MCU_H323_ENABLED=false)');
      return;
    }
    const media = new EngineMediaSource(this.media, createLogger('h323-media'));
    let gatekeeper: H323Gatekeeper | undefined;
    const bridge = new H323Bridge({
      conference: this.conference,
      media,
      admission: {
        admit: (call) => (gatekeeper ? gatekeeper.admit(call) : Promise.resolve(true)),
        disengage: (call) => gatekeeper?.disengage(call),
      },
      logger: createLogger('h323-bridge'),
    });
    const endpoint = new H323Endpoint(bridge, {
      host: sip.host,
      port: h323.port,
      timers: { answer: ANSWER_TIMEOUT_MS },
      logger: createLogger('h323-call'),
      // Video (H.264, H.263) is announced per call for the formats the media plane has at that moment.
      h245: h245SessionPorts({
        capabilities: { audio: AUDIO_CODECS, h264PacketizationModes: [0, 1] },
        videoCapabilities: () => media.videoCapabilities(),
        logger: createLogger('h245'),
      }),
    });
    const bound = await endpoint.listen();
    this.endpoint = endpoint;
    if (h323.gatekeeper !== undefined) {
      gatekeeper = new H323Gatekeeper({
        conference: this.conference,
        gatekeeper: h323.gatekeeper,
        callSignalAddress: { address: publicIp, port: bound.port },
        bindAddress: sip.host,
        logger: createLogger('h323-ras'),
        // H.225.0 §7.9: a DRQ from the gatekeeper ends the call (ReleaseComplete, then our own DRQ is not needed).
        onDisengageRequest: (callIdentifier) => {
          const leg = bridge.legOfCall(callIdentifier);
          this.logger.info({ callIdentifier: callIdentifier.toString('hex'), found: leg !== undefined }, 'gatekeeper disengaged a call');
          leg?.call.hangUp('normal');
        },
      });
      this.gatekeeper = gatekeeper;
      await gatekeeper.start();
    }
    this.unregister = this.health.register('h323', () => ({
      status: 'up',
      tcp: `${sip.host}:${bound.port}`,
      activeCalls: bridge.activeLegs,
      ...(gatekeeper ? { gatekeeper: gatekeeper.state } : {}),
    }));
    this.logger.info({ host: sip.host, port: bound.port, gatekeeper: h323.gatekeeper ?? null }, 'H.323 listening on TCP');
  }

  /** URQ to the gatekeeper, then ReleaseComplete to any call left and the listener closed. */
  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    await this.gatekeeper?.stop();
    await this.endpoint?.close();
  }
}
