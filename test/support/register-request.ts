/**
 * REGISTER requests (RFC 3261 §10.2) sent with {@link SipUdpClient}: the address-of-record is
 * `sip:<user>@127.0.0.1` (the tests run the MCU with `MCU_SIP_DOMAIN=127.0.0.1`), the Request-URI is
 * `sip:127.0.0.1`, and the Contact is the client's own socket.
 */
import { DigestChallenge, parseDigestChallenge } from './digest-client';
import { LOOPBACK } from './ports';
import { headerValues, SipResponse, SipUdpClient } from './sip-udp-client';

/** The Request-URI every REGISTER uses (and the digest `uri` must repeat). */
export const REGISTER_URI = `sip:${LOOPBACK}`;

/** One REGISTER of a registration attempt. */
export interface RegisterRequest {
  user: string;
  /** Same for every request of one registration (§10.2: Call-ID stays, CSeq increases). */
  callId: string;
  cseq: number;
  /** Value of an `Authorization` header field, when answering a challenge. */
  authorization?: string;
  /** Expires in seconds (default 300). */
  expires?: number;
}

/**
 * Sends a REGISTER and resolves its final response.
 *
 * @throws Error when no final response arrives (see {@link SipUdpClient.send})
 */
export function sendRegister(client: SipUdpClient, request: RegisterRequest): Promise<SipResponse> {
  const branch = SipUdpClient.branch();
  const lines = [
    `REGISTER ${REGISTER_URI} SIP/2.0`,
    `Via: ${client.via(branch)}`,
    'Max-Forwards: 70',
    `From: <sip:${request.user}@${LOOPBACK}>;tag=${request.callId.slice(0, 8)}`,
    `To: <sip:${request.user}@${LOOPBACK}>`,
    `Call-ID: ${request.callId}`,
    `CSeq: ${request.cseq} REGISTER`,
    `Contact: <sip:${request.user}@${LOOPBACK}:${client.localPort}>`,
    `Expires: ${request.expires ?? 300}`,
    ...(request.authorization ? [`Authorization: ${request.authorization}`] : []),
    'User-Agent: Tessera end-to-end tests',
    'Content-Length: 0',
    '',
    '',
  ];
  return client.send(lines.join('\r\n'), branch);
}

/**
 * The Digest challenge among the response's WWW-Authenticate fields whose algorithm is `algorithm`
 * (case-insensitive), or the first one when `algorithm` is omitted.
 */
export function findChallenge(response: SipResponse, algorithm?: string): DigestChallenge | undefined {
  return headerValues(response, 'www-authenticate')
    .map(parseDigestChallenge)
    .find((c): c is DigestChallenge => c !== null && (algorithm === undefined || c.algorithm.toUpperCase() === algorithm.toUpperCase()));
}
