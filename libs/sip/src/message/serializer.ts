/**
 * SIP message serializer (RFC 3261 §7): start line, header fields in stored order, a Content-Length that
 * always equals the body length (§20.14, §18.3), an empty line and the body octets.
 */
import type { SipMessage } from './sip-message';

/**
 * Serialize a request or response to octets (UTF-8 for the header section).
 * Content-Length is written where it stood (first occurrence, later ones dropped) or appended at the end
 * of the headers, with the body length in octets.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head: string;
  if (msg.isRequest()) head = `${msg.method} ${msg.uri} ${msg.version}\r\n`;
  else {
    const res = msg as SipMessage & { status: number; reason: string };
    head = `${msg.version} ${res.status} ${res.reason}\r\n`;
  }
  const length = String(msg.body.length);
  let lengthWritten = false;
  msg.headers.forEach((name, value, key) => {
    if (key === 'content-length') {
      if (!lengthWritten) head += `${name}: ${length}\r\n`;
      lengthWritten = true;
    } else head += `${name}: ${value}\r\n`;
  });
  if (!lengthWritten) head += `Content-Length: ${length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + msg.body.length);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headBytes);
  return out;
}

