/**
 * The SIP signalling of the MCU as a Nest module: creates the `UserAgentCore` from `McuConfig`
 * (UDP+TCP on MCU_SIP_HOST:MCU_SIP_PORT, MCU_PUBLIC_IP in Contact/Via/SDP, T1/T2/T4, the registrar on
 * the Redis credential and binding stores), connects it to the conference through the `SipBridge`,
 * takes RTP ports from the media plane's legs (`ConferenceMedia`) and feeds the negotiated audio back
 * to it (`connectSipMedia`), reports the listener in `/health`, and stops it on shutdown — after the
 * conference module has hung up every call in `beforeApplicationShutdown`, so the BYEs still find
 * open sockets.
 */
import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Registrar, UserAgentCore, type BindingStore, type CredentialStore } from '@mcu/sip';
import { ConferenceManager } from '../conference/conference-manager';
import { ConferenceMedia } from '../conference/conference-media';
import { MCU_CONFIG, type McuConfig } from '../config/mcu-config';
import { HealthRegistry } from '../health/health-registry';
import { createLogger } from '../logging/logger';
import { BINDING_STORE, CREDENTIAL_STORE } from '../sip-users/sip-stores';
import { EngineLegSource, type MediaPortSource } from '../bridges/media-port-source';
import { SipBridge } from '../bridges/sip-bridge';
import { connectSipMedia, sipCapabilities } from '../bridges/sip-media';

/** Injection token of the RTP port source the SIP bridge takes ports from. */
export const MEDIA_PORT_SOURCE = Symbol('MEDIA_PORT_SOURCE');

/** Build the user agent for `config` (not started). */
export function createUserAgent(config: McuConfig, credentials: CredentialStore, bindings: BindingStore): UserAgentCore {
  const logger = createLogger('sip');
  const registrar = new Registrar({
    domain: config.sip.domain,
    realm: config.sip.realm,
    credentials,
    bindings,
    // Challenges go out in preference order (RFC 8760 §2.4). MD5 comes first because many deployed
    // clients answer only the first challenge and know MD5 only (SIPp 3.6, baresip 1.0's libre);
    // clients that prefer SHA-256 pick its challenge from the second WWW-Authenticate.
    digest: { algorithms: ['MD5', 'SHA-256'] },
    logger: createLogger('sip-registrar'),
  });
  return new UserAgentCore({
    host: config.sip.host,
    port: config.sip.port,
    publicAddress: config.publicIp,
    timers: { t1: config.sip.timers.t1Ms, t2: config.sip.timers.t2Ms, t4: config.sip.timers.t4Ms },
    registrar,
    logger,
  });
}

/**
 * Provides `UserAgentCore` (started in `onModuleInit`, stopped in `onApplicationShutdown`), the
 * `SipBridge` (its delegate) and `MEDIA_PORT_SOURCE` (media plane legs over MCU_RTP_PORT_MIN..MAX).
 */
@Module({
  providers: [
    {
      provide: MEDIA_PORT_SOURCE,
      inject: [ConferenceMedia],
      useFactory: (media: ConferenceMedia) => new EngineLegSource(() => media.allocate()),
    },
    {
      provide: SipBridge,
      inject: [ConferenceManager, MEDIA_PORT_SOURCE, ConferenceMedia, MCU_CONFIG],
      useFactory: (conference: ConferenceManager, ports: MediaPortSource, media: ConferenceMedia, config: McuConfig) =>
        new SipBridge({
          conference,
          ports,
          mediaAddress: config.publicIp,
          capabilities: sipCapabilities(
            (codec) => media.supportsCodec(codec),
            (format) => media.supportsVideoCodec(format),
          ),
          logger: createLogger('sip-bridge'),
        }),
    },
    {
      provide: UserAgentCore,
      inject: [MCU_CONFIG, CREDENTIAL_STORE, BINDING_STORE],
      useFactory: createUserAgent,
    },
  ],
  exports: [UserAgentCore, SipBridge, MEDIA_PORT_SOURCE],
})
export class SipModule implements OnModuleInit, OnApplicationShutdown {
  private unregister?: () => void;
  private disconnectMedia?: () => void;

  constructor(
    private readonly userAgent: UserAgentCore,
    private readonly bridge: SipBridge,
    private readonly health: HealthRegistry,
    private readonly media: ConferenceMedia,
    @Inject(MCU_CONFIG) private readonly config: McuConfig,
  ) {}

  /** Binds UDP and TCP; a bind failure (EADDRINUSE, EACCES) fails the start-up. */
  async onModuleInit(): Promise<void> {
    this.disconnectMedia = connectSipMedia(this.bridge, this.media, createLogger('sip-media'));
    this.userAgent.setDelegate(this.bridge);
    await this.userAgent.start();
    const { host } = this.config.sip;
    const port = this.userAgent.port;
    this.unregister = this.health.register('sip', () => {
      const stats = this.userAgent.stats();
      return {
        status: this.userAgent.stopped ? 'down' : 'up',
        udp: `${host}:${port}`,
        tcp: `${host}:${port}`,
        activeCalls: stats.userAgent.activeCalls,
        transactions: stats.transactions.total,
      };
    });
    createLogger('sip').info({ host, port, publicIp: this.config.publicIp, domain: this.config.sip.domain }, 'SIP listening on UDP and TCP');
  }

  /** Closes the sockets (after `ConferenceModule` hung up the calls). */
  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    await this.userAgent.stop();
    this.disconnectMedia?.();
  }
}
