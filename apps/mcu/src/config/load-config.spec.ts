import { ConfigError } from './config-error';
import { isLoopbackHost, loadConfig, type Environment } from './load-config';
import { detectPublicIp } from './public-ip';

const KEY = 'k3y-0123456789abcdef';
const load = (env: Environment) => loadConfig(env, { detectPublicIp: () => '192.0.2.10' });

function problemsOf(env: Environment): Record<string, string> {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return Object.fromEntries(err.problems.map((p) => [p.variable, p.message]));
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(load({})).toEqual({
      http: { host: '127.0.0.1', port: 8080 },
      sip: { host: '0.0.0.0', port: 5060, domain: '192.0.2.10', realm: '192.0.2.10', timers: { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 } },
      publicIp: '192.0.2.10',
      rtp: { portMin: 20000, portMax: 29999 },
      h323: { enabled: true, port: 1720, gatekeeper: undefined },
      redis: { url: 'redis://127.0.0.1:6379', urlFromEnvironment: false, keyPrefix: 'tessera:' },
      apiKey: undefined,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = load({
      MCU_HTTP_HOST: '0.0.0.0',
      MCU_HTTP_PORT: '18080',
      MCU_SIP_HOST: '127.0.0.1',
      MCU_SIP_PORT: '15060',
      MCU_SIP_DOMAIN: 'conf.example.com',
      MCU_SIP_REALM: 'Tessera',
      MCU_PUBLIC_IP: '203.0.113.7',
      MCU_RTP_PORT_MIN: '30000',
      MCU_RTP_PORT_MAX: '30100',
      REDIS_URL: 'redis://redis:6379/2',
      MCU_REDIS_PREFIX: 'test-1:',
      MCU_API_KEY: KEY,
      LOG_LEVEL: 'DEBUG',
      MCU_SIP_T1_MS: '100',
      MCU_SIP_T2_MS: '400',
      MCU_SIP_T4_MS: '500',
      MCU_H323_ENABLED: 'false',
      MCU_H323_PORT: '11720',
      MCU_H323_GATEKEEPER: 'gk.example.com',
    });
    expect(config).toEqual({
      http: { host: '0.0.0.0', port: 18080 },
      sip: { host: '127.0.0.1', port: 15060, domain: 'conf.example.com', realm: 'Tessera', timers: { t1Ms: 100, t2Ms: 400, t4Ms: 500 } },
      publicIp: '203.0.113.7',
      rtp: { portMin: 30000, portMax: 30100 },
      h323: { enabled: false, port: 11720, gatekeeper: { host: 'gk.example.com', port: 1719 } },
      redis: { url: 'redis://redis:6379/2', urlFromEnvironment: true, keyPrefix: 'test-1:' },
      apiKey: KEY,
      logLevel: 'debug',
    });
  });

  it('defaults the SIP domain to MCU_PUBLIC_IP and the realm to the domain', () => {
    const config = load({ MCU_PUBLIC_IP: '198.51.100.1' });
    expect(config.sip.domain).toBe('198.51.100.1');
    expect(config.sip.realm).toBe('198.51.100.1');
    expect(load({ MCU_SIP_DOMAIN: 'a.example' }).sip.realm).toBe('a.example');
  });

  it('treats empty values as unset', () => {
    expect(load({ MCU_API_KEY: '', MCU_HTTP_PORT: '  ', REDIS_URL: '' })).toMatchObject({
      apiKey: undefined,
      http: { port: 8080 },
      redis: { urlFromEnvironment: false },
    });
  });

  it('reads the H.323 gatekeeper as auto, host, host:port or [v6]:port', () => {
    expect(load({ MCU_H323_GATEKEEPER: 'AUTO' }).h323.gatekeeper).toBe('auto');
    expect(load({ MCU_H323_GATEKEEPER: '192.0.2.1:1819' }).h323.gatekeeper).toEqual({ host: '192.0.2.1', port: 1819 });
    expect(load({ MCU_H323_GATEKEEPER: '[2001:db8::1]:1719' }).h323.gatekeeper).toEqual({ host: '2001:db8::1', port: 1719 });
    expect(load({ MCU_H323_PORT: '0' }).h323.port).toBe(0);
    const problems = problemsOf({ MCU_H323_GATEKEEPER: 'gk:99999', MCU_H323_ENABLED: 'maybe', MCU_H323_PORT: '-1' });
    expect(Object.keys(problems).sort()).toEqual(['MCU_H323_ENABLED', 'MCU_H323_GATEKEEPER', 'MCU_H323_PORT']);
    expect(problemsOf({ MCU_H323_GATEKEEPER: 'bad host!' }).MCU_H323_GATEKEEPER).toMatch(/host:port/);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({
      MCU_HTTP_PORT: 'http',
      MCU_SIP_PORT: '70000',
      MCU_PUBLIC_IP: 'example.com',
      MCU_SIP_HOST: 'not a host',
      MCU_RTP_PORT_MIN: '-1',
      REDIS_URL: 'http://localhost:6379',
      LOG_LEVEL: 'loud',
      MCU_REDIS_PREFIX: 'has space',
      MCU_SIP_T1_MS: '0',
      MCU_SIP_REALM: 'a"b',
    });
    expect(Object.keys(problems).sort()).toEqual(
      ['LOG_LEVEL', 'MCU_HTTP_PORT', 'MCU_PUBLIC_IP', 'MCU_REDIS_PREFIX', 'MCU_RTP_PORT_MIN', 'MCU_SIP_HOST', 'MCU_SIP_PORT', 'MCU_SIP_REALM', 'MCU_SIP_T1_MS', 'REDIS_URL'].sort(),
    );
    expect(problems.MCU_HTTP_PORT).toContain('"http"');
    expect(problems.REDIS_URL).toContain('redis:');
  });

  it('lists the variable names in the error message', () => {
    expect(() => load({ MCU_HTTP_PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/MCU_HTTP_PORT: .*\n\s+LOG_LEVEL: /);
  });

  it('refuses a non-loopback REST address without MCU_API_KEY', () => {
    expect(problemsOf({ MCU_HTTP_HOST: '0.0.0.0' }).MCU_HTTP_HOST).toMatch(/MCU_API_KEY/);
    expect(problemsOf({ MCU_HTTP_HOST: 'conf.example.com' }).MCU_HTTP_HOST).toMatch(/loopback/);
    expect(load({ MCU_HTTP_HOST: '0.0.0.0', MCU_API_KEY: KEY }).http.host).toBe('0.0.0.0');
    expect(load({ MCU_HTTP_HOST: '::1' }).http.host).toBe('::1');
    expect(load({ MCU_HTTP_HOST: 'localhost' }).http.host).toBe('localhost');
  });

  it('rejects short or malformed API keys without echoing them', () => {
    const problems = problemsOf({ MCU_API_KEY: 'short' });
    expect(problems.MCU_API_KEY).not.toContain('short');
    expect(problems.MCU_HTTP_HOST).toBeUndefined();
    expect(problemsOf({ MCU_API_KEY: 'has a space in it, long enough' }).MCU_API_KEY).toBeDefined();
  });

  it('checks the relations between variables', () => {
    expect(problemsOf({ MCU_SIP_T1_MS: '5000', MCU_SIP_T2_MS: '4000' }).MCU_SIP_T2_MS).toMatch(/MCU_SIP_T1_MS/);
    expect(problemsOf({ MCU_RTP_PORT_MIN: '30000', MCU_RTP_PORT_MAX: '30000' }).MCU_RTP_PORT_MAX).toMatch(/MCU_RTP_PORT_MIN/);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['LOCALHOST', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['127.example.com', false],
  ])('%s → %s', (host, expected) => expect(isLoopbackHost(host)).toBe(expected));
});

describe('detectPublicIp', () => {
  it('takes the first non-internal IPv4 address', () => {
    expect(
      detectPublicIp({
        lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
        eth0: [
          { address: 'fe80::1', family: 'IPv6', internal: false },
          { address: '10.1.2.3', family: 'IPv4', internal: false },
        ],
        eth1: [{ address: '10.9.9.9', family: 'IPv4', internal: false }],
      }),
    ).toBe('10.1.2.3');
  });

  it('falls back to 127.0.0.1', () => {
    expect(detectPublicIp({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }], none: undefined })).toBe('127.0.0.1');
  });
});
