/**
 * A recording stand-in for the transport layer, used by the transaction unit tests (the network is
 * outside the state machines under test). Messages are real `SipRequest`/`SipResponse` objects;
 * `at` is `Date.now()` when sent, which jest fake timers control.
 */
import { formatVia, generateBranch, parseMessage, setTopVia, SipRequest, SipResponse, topVia } from '../message';
import type { ReceivedMessage, RemoteAddress, TransportUser } from '../transport';
import type { TransactionTransport } from './transaction-transport';

/** One message handed to the fake. */
export interface SentMessage {
  message: SipRequest | SipResponse;
  target: RemoteAddress;
  at: number;
}

/** The UAS side's address as seen by the transaction layer in tests. */
export const PEER: RemoteAddress = { transport: 'UDP', address: '192.0.2.10', port: 5060 };
/** Our sent-by in tests. */
export const LOCAL_SENT_BY = '192.0.2.1:5060';

export class FakeTransport implements TransactionTransport {
  readonly sent: SentMessage[] = [];
  readonly rejected: Array<{ status: number; reason: string; method: string }> = [];
  readonly dropped: string[] = [];
  /** When set, every send rejects with this error. */
  failWith?: Error;
  /** When set, sendRequest resolves with this target instead of the one given (simulates the §18.1.1 UDP fallback). */
  usedTarget?: RemoteAddress;
  private user?: TransportUser;

  setUser(user: TransportUser): void {
    this.user = user;
  }

  prepareRequest(request: SipRequest, target: RemoteAddress): RemoteAddress {
    const [host, port] = LOCAL_SENT_BY.split(':');
    if (request.headers.has('via')) {
      const via = topVia(request);
      via.transport = target.transport;
      via.host = host;
      via.port = Number(port);
      if (via.rport === undefined) via.rport = null;
      setTopVia(request, via);
    } else {
      request.headers.prepend('Via', formatVia({ protocol: 'SIP/2.0', transport: target.transport, host, port: Number(port), params: new Map(), branch: generateBranch(), rport: null }));
    }
    return target;
  }

  sendRequest(request: SipRequest, target: RemoteAddress): Promise<RemoteAddress> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.sent.push({ message: request, target, at: Date.now() });
    return Promise.resolve(this.usedTarget ?? target);
  }

  sendResponse(response: SipResponse, source: RemoteAddress): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.sent.push({ message: response, target: source, at: Date.now() });
    return Promise.resolve();
  }

  reject(request: SipRequest, status: number, reason: string): void {
    this.rejected.push({ status, reason, method: request.method });
  }

  drop(_fields: object, why: string): void {
    this.dropped.push(why);
  }

  /** Hands a request (text or object) to the transaction layer as if received from `remote`. */
  receive(request: SipRequest | string, remote: RemoteAddress = PEER): SipRequest {
    const message = typeof request === 'string' ? (parseMessage(Buffer.from(request)) as SipRequest) : request;
    this.user?.onRequest(message, this.event(message, remote));
    return message;
  }

  /** Hands a response to the transaction layer; returns whether a client transaction took it. */
  respond(response: SipResponse | string, remote: RemoteAddress = PEER): boolean {
    const message = typeof response === 'string' ? (parseMessage(Buffer.from(response)) as SipResponse) : response;
    return this.user?.onResponse(message, this.event(message, remote)) ?? false;
  }

  /** Requests sent, optionally of one method. */
  requests(method?: string): SipRequest[] {
    return this.sent.map((s) => s.message).filter((m): m is SipRequest => m.isRequest() && (method === undefined || m.method === method));
  }

  /** Responses sent, optionally with one status. */
  responses(status?: number): SipResponse[] {
    return this.sent.map((s) => s.message).filter((m): m is SipResponse => !m.isRequest() && (status === undefined || m.status === status));
  }

  /** Times (Date.now()) at which requests of `method` were sent. */
  sendTimes(method: string): number[] {
    return this.sent.filter((s) => s.message.isRequest() && (s.message as SipRequest).method === method).map((s) => s.at);
  }

  /** Times at which responses with `status` were sent. */
  responseTimes(status: number): number[] {
    return this.sent.filter((s) => !s.message.isRequest() && (s.message as SipResponse).status === status).map((s) => s.at);
  }

  private event(message: SipRequest | SipResponse, remote: RemoteAddress): ReceivedMessage {
    return { message, size: 0, local: { transport: remote.transport, address: '192.0.2.1', port: 5060 }, remote };
  }
}

/** Text of a request as a UA at 192.0.2.10 would send it. `branch` '' leaves the Via without branch (RFC 2543). */
export function requestText(
  method: string,
  opts: { branch?: string; cseq?: number; cseqMethod?: string; callId?: string; toTag?: string; fromTag?: string; sentBy?: string; uri?: string; transport?: string } = {},
): string {
  const branch = opts.branch ?? 'z9hG4bK-peer-1';
  const via = `SIP/2.0/${opts.transport ?? 'UDP'} ${opts.sentBy ?? '192.0.2.10:5060'}${branch ? `;branch=${branch}` : ''}`;
  const to = `<sip:1000@192.0.2.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}`;
  return (
    `${method} ${opts.uri ?? 'sip:1000@192.0.2.1'} SIP/2.0\r\n` +
    `Via: ${via}\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: <sip:alice@192.0.2.10>;tag=${opts.fromTag ?? 'from1'}\r\n` +
    `To: ${to}\r\n` +
    `Call-ID: ${opts.callId ?? 'call-1@192.0.2.10'}\r\n` +
    `CSeq: ${opts.cseq ?? 1} ${opts.cseqMethod ?? method}\r\n` +
    `Content-Length: 0\r\n\r\n`
  );
}

/** Text of a response to a request we sent (top Via = ours with `branch`). */
export function responseText(status: number, branch: string, method: string, opts: { cseq?: number; toTag?: string; sentBy?: string } = {}): string {
  const reason = status === 100 ? 'Trying' : status < 200 ? 'Ringing' : status < 300 ? 'OK' : 'Busy Here';
  const tag = status === 100 ? '' : `;tag=${opts.toTag ?? 'uas1'}`;
  return (
    `SIP/2.0 ${status} ${reason}\r\n` +
    `Via: SIP/2.0/UDP ${opts.sentBy ?? LOCAL_SENT_BY};branch=${branch};rport=5060\r\n` +
    `From: <sip:alice@192.0.2.1>;tag=uac1\r\n` +
    `To: <sip:1000@192.0.2.10>${tag}\r\n` +
    `Call-ID: uac-call-1\r\n` +
    `CSeq: ${opts.cseq ?? 1} ${method}\r\n` +
    `Content-Length: 0\r\n\r\n`
  );
}

/** A request as the TU would build it for sending (no Via: the transport writes it). */
export function outgoingRequest(method: string, cseq = 1): SipRequest {
  const text =
    `${method} sip:1000@192.0.2.10 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${LOCAL_SENT_BY};branch=z9hG4bK-placeholder\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.1>;tag=uac1\r\nTo: <sip:1000@192.0.2.10>\r\n` +
    `Call-ID: uac-call-1\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`;
  const req = parseMessage(Buffer.from(text)) as SipRequest;
  req.headers.remove('via');
  return req;
}
