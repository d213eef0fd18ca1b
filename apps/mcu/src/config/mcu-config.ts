/**
 * The MCU's configuration: every environment variable of the product's interface, validated and
 * typed. Produced once at start by `loadConfig()` and injected everywhere through `MCU_CONFIG`.
 *
 * Another Nest module gets it with `constructor(@Inject(MCU_CONFIG) private readonly config: McuConfig)`.
 */

/** pino's level names (`LOG_LEVEL`), most to least verbose, plus `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One of pino's level names. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Validated configuration of one MCU process. All ports are TCP/UDP port numbers, all times ms. */
export interface McuConfig {
  /** REST API listener (`MCU_HTTP_HOST`, `MCU_HTTP_PORT`; port 0 = an ephemeral port). */
  readonly http: { readonly host: string; readonly port: number };
  /** SIP signalling. */
  readonly sip: {
    /** Listen address for UDP and TCP (`MCU_SIP_HOST`). */
    readonly host: string;
    /** Listen port for both UDP and TCP (`MCU_SIP_PORT`; 0 = ephemeral). */
    readonly port: number;
    /** The domain the MCU is authoritative for: room URIs `sip:<room>@<domain>` (`MCU_SIP_DOMAIN`). */
    readonly domain: string;
    /** Digest realm of the registrar (RFC 7616 §3.3, `MCU_SIP_REALM`; default: `domain`). */
    readonly realm: string;
    /** RFC 3261 §17.1.1.1 timer values in ms (`MCU_SIP_T1_MS`, `MCU_SIP_T2_MS`, `MCU_SIP_T4_MS`). */
    readonly timers: { readonly t1Ms: number; readonly t2Ms: number; readonly t4Ms: number };
  };
  /** Address advertised in SDP `c=` and in Contact headers (`MCU_PUBLIC_IP`; default: detected). */
  readonly publicIp: string;
  /** UDP port range for RTP/RTCP (`MCU_RTP_PORT_MIN` … `MCU_RTP_PORT_MAX`, inclusive). */
  readonly rtp: { readonly portMin: number; readonly portMax: number };
  /** H.323 signalling (H.225.0 call signalling over TCP, optional RAS towards a gatekeeper). */
  readonly h323: {
    /** `MCU_H323_ENABLED` (default true): false leaves the H.323 listener closed. */
    readonly enabled: boolean;
    /** TCP port of the H.225.0 call signalling listener (`MCU_H323_PORT`, default 1720; 0 = ephemeral), bound on `sip.host`. */
    readonly port: number;
    /**
     * `MCU_H323_GATEKEEPER`: `undefined` = no gatekeeper; `'auto'` = multicast GRQ discovery (H.323 §7.2.1);
     * otherwise the gatekeeper's RAS address (`port` default 1719).
     */
    readonly gatekeeper: { readonly host: string; readonly port: number } | 'auto' | undefined;
  };
  /** Redis connection. */
  readonly redis: {
    /** `REDIS_URL`, or `redis://127.0.0.1:6379` when unset. */
    readonly url: string;
    /**
     * `true` when `REDIS_URL` was set. When it was not and nothing answers at the default URL, the
     * MCU starts a private `redis-server` (see `redis/embedded-redis.ts`).
     */
    readonly urlFromEnvironment: boolean;
    /** Prefix of every key the MCU writes (`MCU_REDIS_PREFIX`, default `tessera:`). */
    readonly keyPrefix: string;
  };
  /** Bearer token every REST call must present (`MCU_API_KEY`); `undefined` = no authentication. */
  readonly apiKey: string | undefined;
  /** pino level (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
}

/** Nest injection token of the `McuConfig` value (provided globally by `ConfigModule`). */
export const MCU_CONFIG = Symbol('MCU_CONFIG');
