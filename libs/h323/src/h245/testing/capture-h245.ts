/**
 * The H.245 PDUs of the H323Plus reference captures (libs/h323/src/asn1/fixtures/capture-pdus.json): separate
 * H.245 TCP PDUs, tunnelled h245Control/parallelH245Control, and fastStart proposals, with the capture and
 * frame they come from.
 */
import { H225, H245, type H225Types, type H245Types } from '../../asn1/generated';
import { decode } from '../../per/codec';
import fixture from '../../asn1/fixtures/capture-pdus.json';

export interface CapturedH245 {
  readonly capture: string;
  readonly frame: number;
  /** Q.931 message body of the carrying H.225.0 message, or 'h245-tcp'. */
  readonly carrier: string;
  readonly bytes: Buffer;
}

interface FixturePdu {
  capture: string;
  frame: number;
  type: string;
  hex: string;
}

/** Every captured MultimediaSystemControlMessage (kind 'message') or fastStart OpenLogicalChannel (kind 'fastStart'). */
export function capturedH245(kind: 'message' | 'fastStart'): CapturedH245[] {
  const out: CapturedH245[] = [];
  for (const pdu of (fixture as { pdus: FixturePdu[] }).pdus) {
    const bytes = Buffer.from(pdu.hex, 'hex');
    if (pdu.type === 'MultimediaSystemControlMessage') {
      if (kind === 'message') out.push({ capture: pdu.capture, frame: pdu.frame, carrier: 'h245-tcp', bytes });
      continue;
    }
    if (pdu.type !== 'H323-UserInformation') continue;
    const info = decode(H225.H323_UserInformation, bytes) as H225Types.H323_UserInformation;
    const uu = info['h323-uu-pdu'];
    const body = uu['h323-message-body'];
    const fields = (typeof body.value === 'object' && body.value !== null && !Buffer.isBuffer(body.value) ? body.value : {}) as {
      fastStart?: Buffer[];
      parallelH245Control?: Buffer[];
    };
    const list = kind === 'fastStart' ? fields.fastStart ?? [] : [...(fields.parallelH245Control ?? []), ...(uu.h245Control ?? [])];
    for (const b of list) out.push({ capture: pdu.capture, frame: pdu.frame, carrier: body.tag, bytes: b });
  }
  return out;
}

/** Decoded captured messages of one capture, in capture order. */
export function capturedMessages(capture: string): H245Types.MultimediaSystemControlMessage[] {
  return capturedH245('message').filter((c) => c.capture === capture).map((c) => decode(H245.MultimediaSystemControlMessage, c.bytes));
}
