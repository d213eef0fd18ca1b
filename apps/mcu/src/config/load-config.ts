import { isIP } from 'node:net';
import { ConfigError, type ConfigProblem } from './config-error';
import { LOG_LEVELS, type LogLevel, type McuConfig } from './mcu-config';
import { detectPublicIp } from './public-ip';

/** The environment as `process.env` types it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Dependencies of `loadConfig()` that tests replace. */
export interface LoadConfigOptions {
  /** Address detection used when `MCU_PUBLIC_IP` is unset (default: `detectPublicIp`). */
  readonly detectPublicIp?: () => string;
}

/** Default Redis URL (also the address probed before starting an embedded Redis). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Shortest accepted `MCU_API_KEY`, in characters. */
export const MIN_API_KEY_LENGTH = 16;

/**
 * Reads and validates the MCU's environment variables (see README "Configuration").
 *
 * An empty value counts as unset (so `MCU_API_KEY=` in a compose file means "no key"). Every
 * variable is checked before anything fails, so the error names all bad variables at once.
 *
 * @param env the environment, normally `process.env`.
 * @returns the typed configuration.
 * @throws ConfigError naming each invalid variable, including `MCU_HTTP_HOST` when it is not a
 *   loopback address and `MCU_API_KEY` is unset (an unauthenticated REST API stays local).
 */
export function loadConfig(env: Environment, options: LoadConfigOptions = {}): McuConfig {
  const reader = new EnvironmentReader(env);

  const httpHost = reader.host('MCU_HTTP_HOST', '127.0.0.1');
  const httpPort = reader.port('MCU_HTTP_PORT', 8080);
  const sipHost = reader.host('MCU_SIP_HOST', '0.0.0.0');
  const sipPort = reader.port('MCU_SIP_PORT', 5060);
  const publicIp = reader.ipAddress('MCU_PUBLIC_IP') ?? (options.detectPublicIp ?? detectPublicIp)();
  const domain = reader.host('MCU_SIP_DOMAIN', publicIp);
  const realm = reader.realm('MCU_SIP_REALM', domain);
  const t1Ms = reader.integer('MCU_SIP_T1_MS', 500, 1, 60_000);
  const t2Ms = reader.integer('MCU_SIP_T2_MS', 4000, 1, 600_000);
  const t4Ms = reader.integer('MCU_SIP_T4_MS', 5000, 1, 600_000);
  const rtpMin = reader.integer('MCU_RTP_PORT_MIN', 20000, 1024, 65535);
  const rtpMax = reader.integer('MCU_RTP_PORT_MAX', 29999, 1024, 65535);
  const h323Enabled = reader.boolean('MCU_H323_ENABLED', true);
  const h323Port = reader.port('MCU_H323_PORT', 1720);
  const gatekeeper = reader.gatekeeper('MCU_H323_GATEKEEPER');
  const redisUrl = reader.redisUrl('REDIS_URL');
  const keyPrefix = reader.pattern('MCU_REDIS_PREFIX', 'tessera:', /^[A-Za-z0-9:_.\-]{1,64}$/, '1–64 characters of A–Z a–z 0–9 : _ . -');
  const apiKey = reader.apiKey('MCU_API_KEY');
  const logLevel = reader.oneOf<LogLevel>('LOG_LEVEL', 'info', LOG_LEVELS);

  if (reader.isValid('MCU_SIP_T1_MS') && reader.isValid('MCU_SIP_T2_MS') && t2Ms < t1Ms) {
    reader.fail('MCU_SIP_T2_MS', `must be ≥ MCU_SIP_T1_MS (${t1Ms}) (RFC 3261 §17.1.2.2), got ${t2Ms}`);
  }
  if (reader.isValid('MCU_RTP_PORT_MIN') && reader.isValid('MCU_RTP_PORT_MAX') && rtpMax - rtpMin < 1) {
    reader.fail('MCU_RTP_PORT_MAX', `must be greater than MCU_RTP_PORT_MIN (${rtpMin}) so at least one RTP/RTCP pair fits, got ${rtpMax}`);
  }
  if (apiKey === undefined && reader.isValid('MCU_API_KEY') && reader.isValid('MCU_HTTP_HOST') && !isLoopbackHost(httpHost)) {
    reader.fail(
      'MCU_HTTP_HOST',
      `"${httpHost}" is not a loopback address; without MCU_API_KEY the REST API only binds to loopback ` +
        `(127.0.0.1, ::1, localhost). Set MCU_API_KEY to expose it.`,
    );
  }
  reader.throwIfInvalid();

  return {
    http: { host: httpHost, port: httpPort },
    sip: { host: sipHost, port: sipPort, domain, realm, timers: { t1Ms, t2Ms, t4Ms } },
    publicIp,
    rtp: { portMin: rtpMin, portMax: rtpMax },
    h323: { enabled: h323Enabled, port: h323Port, gatekeeper },
    redis: { url: redisUrl ?? DEFAULT_REDIS_URL, urlFromEnvironment: redisUrl !== undefined, keyPrefix },
    apiKey,
    logLevel,
  };
}

/**
 * `true` for addresses that only the host itself can reach: 127.0.0.0/8, `::1`, an IPv4-mapped
 * loopback (`::ffff:127.0.0.1`) and the name `localhost`.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** RFC 6750 §2.1 b64token: the characters a Bearer token may contain. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Reads variables one by one, remembering every problem instead of stopping at the first. */
class EnvironmentReader {
  private readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Environment) {}

  /** The raw value, `undefined` when unset or empty. */
  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  fail(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }

  isValid(variable: string): boolean {
    return !this.problems.some((p) => p.variable === variable);
  }

  throwIfInvalid(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.fail(name, `must be an integer ${min}–${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, 0, 65535);
  }

  host(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (isIP(value) === 0 && !HOSTNAME.test(value)) {
      this.fail(name, `must be an IP address or a host name (got "${value}")`);
      return fallback;
    }
    return value;
  }

  ipAddress(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (isIP(value) === 0) {
      this.fail(name, `must be an IPv4 or IPv6 address (got "${value}")`);
      return undefined;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    this.fail(name, `must be true or false (got "${value}")`);
    return fallback;
  }

  /** `auto`, `host` or `host:port` (IPv6 literals in brackets: `[::1]:1719`); port default 1719 (H.225.0 RAS). */
  gatekeeper(name: string): { host: string; port: number } | 'auto' | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.toLowerCase() === 'auto') return 'auto';
    const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(value);
    const host = match?.[1] ?? match?.[2];
    const port = match?.[3] === undefined ? 1719 : Number(match[3]);
    if (host === undefined || (isIP(host) === 0 && !HOSTNAME.test(host)) || port < 1 || port > 65535) {
      this.fail(name, `must be "auto", host or host:port with port 1–65535 (got "${value}")`);
      return undefined;
    }
    return { host, port };
  }

  realm(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    // The realm travels inside a quoted-string (RFC 7616 §3.3); keep it free of quotes and controls.
    if (/["\\\x00-\x1f\x7f]/.test(value) || value.length > 128) {
      this.fail(name, 'must be at most 128 characters without quotes, backslashes or control characters');
      return fallback;
    }
    return value;
  }

  redisUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch (err) {
      this.fail(name, `must be a URL like redis://host:6379 (${err instanceof Error ? err.message : String(err)})`);
      return undefined;
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      this.fail(name, `must use the redis: or rediss: scheme (got "${url.protocol}")`);
      return undefined;
    }
    return value;
  }

  pattern(name: string, fallback: string, re: RegExp, expected: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!re.test(value)) {
      this.fail(name, `must be ${expected} (got "${value}")`);
      return fallback;
    }
    return value;
  }

  apiKey(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.length < MIN_API_KEY_LENGTH || !B64TOKEN.test(value)) {
      // Never echo a secret, even a bad one.
      this.fail(name, `must be at least ${MIN_API_KEY_LENGTH} characters of A–Z a–z 0–9 - . _ ~ + / (RFC 6750 b64token)`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    const match = allowed.find((a) => a === lower);
    if (match === undefined) {
      this.fail(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return match;
  }
}
