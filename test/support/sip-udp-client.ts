/**
 * A minimal SIP UAC over UDP for end-to-end tests that SIPp cannot express (SHA-256 digest, nonce
 * reuse): it sends one non-INVITE request at a time, retransmits it on Timer E's schedule
 * (RFC 3261 §17.1.2.2: T1 = 500 ms doubling up to T2 = 4 s), and returns the first final response.
 * Parsing is deliberately simple and independent of libs/sip (no folding, one message per datagram).
 */
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { LOOPBACK } from './ports';

/** A received SIP response. */
export interface SipResponse {
  status: number;
  reason: string;
  /** Header fields in order, names lower-cased (compact forms expanded for the few used here). */
  headers: Array<[string, string]>;
  body: string;
  /** The datagram as received. */
  raw: string;
}

const COMPACT: Record<string, string> = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length' };

/** All values of header `name` (lower-case long form). */
export function headerValues(response: SipResponse, name: string): string[] {
  return response.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/**
 * Parses one SIP response datagram.
 *
 * @returns null when the text is not a response (e.g. a request from the server)
 */
export function parseSipResponse(raw: string): SipResponse | null {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const head = headerEnd >= 0 ? raw.slice(0, headerEnd) : raw;
  const body = headerEnd >= 0 ? raw.slice(headerEnd + 4) : '';
  const lines = head.split('\r\n');
  const status = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
  if (!status) return null;
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.push([COMPACT[name] ?? name, line.slice(colon + 1).trim()]);
  }
  return { status: Number(status[1]), reason: status[2], headers, body, raw };
}

/** A UDP socket on 127.0.0.1:<ephemeral> that talks to one SIP server. */
export class SipUdpClient {
  private readonly pending = new Map<string, { resolve: (response: SipResponse) => void; abort: (reason: string) => void }>();
  private readonly unmatched: string[] = [];
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    /** Server address. */
    readonly serverHost: string,
    readonly serverPort: number,
  ) {
    socket.on('message', (msg) => this.onDatagram(msg.toString('utf8')));
    socket.on('error', (err) => this.unmatched.push(`socket error: ${err.message}`));
  }

  /** Local port of the socket. */
  get localPort(): number {
    return this.socket.address().port;
  }

  /** Datagrams that matched no pending request (for diagnosis). */
  get strayMessages(): readonly string[] {
    return this.unmatched;
  }

  /** Binds a new client socket on loopback. */
  static open(serverHost: string, serverPort: number): Promise<SipUdpClient> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, LOOPBACK, () => {
        socket.removeListener('error', reject);
        resolve(new SipUdpClient(socket, serverHost, serverPort));
      });
    });
  }

  /** A new RFC 3261 branch (magic cookie + random). */
  static branch(): string {
    return `z9hG4bK-${randomBytes(8).toString('hex')}`;
  }

  /** Via header value for this client with `branch` and `rport` (RFC 3581). */
  via(branch: string): string {
    return `SIP/2.0/UDP ${LOOPBACK}:${this.localPort};branch=${branch};rport`;
  }

  /**
   * Sends a request whose top Via carries `branch` and resolves its first final response (≥ 200).
   * Retransmits at 0.5, 1, 2, 4, 4, … s until `timeoutMs` (Timer F's 32 s by default shortened).
   *
   * @param message the complete request text with CRLF line ends and Content-Length
   * @throws Error when no final response arrived within `timeoutMs`
   */
  async send(message: string, branch: string, timeoutMs = 8000): Promise<SipResponse> {
    if (this.closed) throw new Error('SIP client socket is closed');
    const data = Buffer.from(message, 'utf8');
    const transmit = (): void => {
      this.socket.send(data, this.serverPort, this.serverHost);
    };
    return new Promise<SipResponse>((resolve, reject) => {
      let interval = 500;
      const timers: { retransmit?: NodeJS.Timeout; timeout?: NodeJS.Timeout } = {};
      const settle = (): void => {
        clearTimeout(timers.retransmit);
        clearTimeout(timers.timeout);
        this.pending.delete(branch);
      };
      const schedule = (): void => {
        timers.retransmit = setTimeout(() => {
          transmit();
          interval = Math.min(interval * 2, 4000);
          schedule();
        }, interval);
      };
      timers.timeout = setTimeout(() => {
        settle();
        reject(new Error(`no final response within ${timeoutMs} ms to: ${message.split('\r\n')[0]}`));
      }, timeoutMs);
      this.pending.set(branch, {
        resolve: (response) => {
          settle();
          resolve(response);
        },
        abort: (reason) => {
          settle();
          reject(new Error(reason));
        },
      });
      transmit();
      schedule();
    });
  }

  /** Closes the socket; pending requests are rejected and their timers stopped. Safe to call twice. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const waiter of [...this.pending.values()]) waiter.abort('SIP client socket closed');
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onDatagram(text: string): void {
    const response = parseSipResponse(text);
    const via = response ? headerValues(response, 'via')[0] : undefined;
    const branch = via ? /;\s*branch=([^;,\s]+)/i.exec(via)?.[1] : undefined;
    const waiter = branch ? this.pending.get(branch) : undefined;
    if (!response || !waiter) {
      this.unmatched.push(text);
      return;
    }
    if (response.status >= 200) waiter.resolve(response);
  }
}
