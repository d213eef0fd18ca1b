/**
 * The RFC 4475 torture messages sent to a running user agent over UDP: the application-layer cases
 * get the answers RFC 4475 §3.3 and §3.4 describe for an endpoint, and no message crashes the agent or
 * leaves a session behind. The top Via of each message is pointed at the test socket so that the
 * responses come back to it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage, type SipResponse } from '../message';
import { createAnswer } from '../sdp/offer-answer';
import { UserAgentCore } from './user-agent-core';

const DIR = join(__dirname, '..', 'message', 'fixtures', 'rfc4475');

let serial = 0;

/**
 * Point the first Via's sent-by at 127.0.0.1:port over UDP, keeping its parameters; a magic-cookie
 * branch gets a unique suffix, since several RFC 4475 messages share `z9hG4bKkdjuw` and would otherwise
 * match each other's transactions once they come from the same sent-by.
 */
function redirectVia(data: Buffer, port: number): Buffer {
  const text = data.toString('latin1');
  const re = /^(Via|v)[ \t]*:[ \t]*SIP[ \t]*\/[ \t]*2\.0[ \t]*\/[ \t]*[A-Za-z]+[ \t]+[^;,\r\n]+([^\r\n]*)/im;
  return Buffer.from(
    text.replace(re, (_m, name: string, params: string) => {
      const unique = params.replace(/branch=z9hG4bK([^;,\s]*)/i, (_b, rest: string) => `branch=z9hG4bK${rest}.${++serial}`);
      return `${name}: SIP/2.0/UDP 127.0.0.1:${port}${unique}`;
    }),
    'latin1',
  );
}

describe('RFC 4475 messages against the user agent', () => {
  let ua: UserAgentCore;
  let socket: Socket;
  const received: SipResponse[] = [];
  /** Responses our parser refuses: the 400 to a request missing To/From/Call-ID cannot have them either. */
  const unparseable: string[] = [];

  beforeAll(async () => {
    ua = new UserAgentCore({
      host: '127.0.0.1',
      port: 0,
      timers: { t1: 50 },
      shutdownGraceMs: 50,
      delegate: {
        onInvite: (call) => {
          if (call.offer) call.accept(call.sdpOrigin.stamp((origin) => createAnswer(call.offer!, { address: '127.0.0.1', ports: { audio: 30000 }, origin })));
          else call.reject(488);
        },
      },
    });
    await ua.start();
    socket = createSocket('udp4');
    socket.on('message', (data) => {
      let m;
      try {
        m = parseMessage(data);
      } catch (err) {
        unparseable.push(data.toString('latin1'));
        return;
      }
      if (!m.isRequest()) received.push(m as SipResponse);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await ua.stop();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  });

  async function send(name: string, waitMs = 500): Promise<SipResponse | undefined> {
    const text = readFileSync(join(DIR, name)).toString('latin1');
    const callId = text.match(/^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im)?.[1];
    const cseq = text.match(/^CSeq[ \t]*:[ \t]*(\d+)/im)?.[1];
    received.length = 0;
    unparseable.length = 0;
    socket.send(redirectVia(readFileSync(join(DIR, name)), socket.address().port), ua.port, '127.0.0.1');
    for (let i = 0; i < waitMs / 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const final = received.find(
        (r) => r.status >= 200 && r.header('call-id') === callId && (cseq === undefined || (r.header('cseq') ?? '').startsWith(cseq)),
      );
      if (final) return final;
    }
    return undefined;
  }

  it.each([
    ['zeromf.dat', 200, 'OPTIONS with Max-Forwards 0 is processed by an endpoint (§3.3.11)'],
    ['sdp01.dat', 406, 'INVITE whose Accept excludes SDP (§3.3.15)'],
    ['invut.dat', 415, 'INVITE with an unknown body type (§3.3.6)'],
    ['bext01.dat', 420, 'OPTIONS requiring unknown extensions (§3.3.5)'],
    ['inv2543.dat', 200, 'RFC 2543 INVITE without Contact, branch or From tag (§3.4.1)'],
    ['unkscm.dat', 416, 'unknown Request-URI scheme (§3.3.2)'],
    ['novelsc.dat', 416, 'atypical Request-URI scheme (§3.3.3)'],
  ])('%s → %i (%s)', async (file, status) => {
    const res = await send(file);
    expect(res?.status).toBe(status);
  });

  it('insuf.dat → 400 (missing required headers, §3.3.1)', async () => {
    await send('insuf.dat', 200);
    expect(unparseable.some((r) => r.startsWith('SIP/2.0 400 '))).toBe(true);
  });

  it('survives every message and keeps no session', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.dat'));
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) await send(f, 100);
    expect((await send('zeromf.dat'))?.status).toBe(200);
    const live = ua.stats().userAgent;
    // Calls that were answered wait for an ACK that never comes; they end by BYE after 64*T1.
    for (let i = 0; i < 100 && ua.stats().userAgent.activeDialogs > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(ua.stats().userAgent.activeDialogs).toBe(0);
    expect(live.requests.OPTIONS).toBeGreaterThan(0);
  }, 30_000);
});
