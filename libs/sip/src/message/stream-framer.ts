/**
 * Framing of SIP messages on a stream transport (RFC 3261 §18.3) with RFC 5626 §4.4.1 CRLF keep-alives.
 *
 * On a stream every message must carry Content-Length; the framer finds the end of the header section
 * (CRLFCRLF), reads Content-Length and waits for that many body octets, across arbitrary chunk boundaries.
 * Between messages, CRLFCRLF is a keep-alive "ping" and a lone CRLF a "pong". Header section and body are
 * capped so that hostile input cannot grow memory without bound.
 */
import { SipParseError } from './errors';
import { parseDigits } from './grammar';

/** One item found on the stream. `data` of a message is the exact octets of one message (header + body). */
export type FramedItem = { kind: 'message'; data: Buffer } | { kind: 'ping' } | { kind: 'pong' };

/** Caps in octets. */
export interface StreamFramerLimits {
  /** Largest header section (start line and headers), default 65536 octets. */
  maxHeaderBytes: number;
  /** Largest body, default 1048576 octets. */
  maxBodyBytes: number;
}

const DEFAULT_LIMITS: StreamFramerLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 };
const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Content-Length of a header section given as bytes (`l` compact form included), or -1 when absent.
 * @throws SipParseError on an invalid or repeated Content-Length.
 */
function contentLength(head: Buffer): number {
  const text = head.toString('latin1');
  let found = -1;
  let pos = text.indexOf('\r\n') + 2;
  while (pos > 1 && pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const c = text.charCodeAt(pos) | 0x20;
    if (c === 0x6c /* l */ || c === 0x63 /* c */) {
      const colon = text.indexOf(':', pos);
      if (colon > 0 && colon < end) {
        const name = text.slice(pos, colon).trim().toLowerCase();
        if (name === 'content-length' || name === 'l') {
          // A folded value continues on lines starting with whitespace.
          let valueEnd = end;
          while (valueEnd + 2 < text.length && (text.charCodeAt(valueEnd + 2) === 32 || text.charCodeAt(valueEnd + 2) === 9)) {
            const next = text.indexOf('\r\n', valueEnd + 2);
            valueEnd = next < 0 ? text.length : next;
          }
          const n = parseDigits(text.slice(colon + 1, valueEnd).trim(), Number.MAX_SAFE_INTEGER);
          if (n < 0) throw new SipParseError('Invalid Content-Length');
          if (found >= 0) throw new SipParseError('Multiple Content-Length values');
          found = n;
        }
      }
    }
    pos = end + 2;
  }
  return found;
}

/**
 * Splits a byte stream into SIP messages and keep-alives.
 *
 * `push()` returns the items completed by that chunk, in order. A lone CRLF at the very end of a chunk is
 * reported as a pong at once; when the next chunk begins with CRLF, that pair completes a ping (a CRLFCRLF
 * ping split across segments thus reports a pong and then a ping).
 *
 * @throws SipParseError from `push()` when the stream can no longer be framed — missing or invalid
 *   Content-Length, a header section or body over the limits, data that is not SIP — after which the
 *   transport closes the connection (RFC 3261 §18.3).
 */
export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private readonly limits: StreamFramerLimits;
  /** Bytes of `buf` already searched for CRLFCRLF (resume point, minus 3 for a split terminator). */
  private scanned = 0;
  /** Total length of the message being read, once its header section is complete. */
  private needed = -1;
  /** The previous chunk ended with a lone CRLF reported as pong. */
  private trailingCrlf = false;
  /** Chunks waiting to be joined while a body is incomplete. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(limits: Partial<StreamFramerLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Octets held while waiting for the rest of a message. */
  get bufferedBytes(): number {
    return this.buf.length + this.pendingBytes;
  }

  /** Feed the next chunk; returns the complete items. @throws SipParseError when framing is lost. */
  push(chunk: Buffer): FramedItem[] {
    const out: FramedItem[] = [];
    if (chunk.length === 0) return out;
    if (this.needed >= 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.buf.length + this.pendingBytes < this.needed) return out;
      this.buf = Buffer.concat([this.buf, ...this.pending]);
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    }
    const wasTrailing = this.trailingCrlf;
    this.trailingCrlf = false;
    let first = true;
    for (;;) {
      if (this.needed >= 0) {
        if (this.buf.length < this.needed) break;
        out.push({ kind: 'message', data: Buffer.from(this.buf.subarray(0, this.needed)) });
        this.buf = this.buf.subarray(this.needed);
        this.needed = -1;
        this.scanned = 0;
        first = false;
        continue;
      }
      const b = this.buf;
      if (b.length === 0) break;
      if (b[0] === 13 || b[0] === 10) {
        // Keep-alives between messages (RFC 5626 §4.4.1).
        if (b.length >= 4 && b[0] === 13 && b[1] === 10 && b[2] === 13 && b[3] === 10) {
          out.push({ kind: 'ping' });
          this.buf = b.subarray(4);
        } else if (b.length >= 2 && b[0] === 13 && b[1] === 10) {
          if (b.length === 2 || b[2] !== 13) {
            out.push(first && wasTrailing ? { kind: 'ping' } : { kind: 'pong' });
            this.buf = b.subarray(2);
            if (this.buf.length === 0) this.trailingCrlf = !(first && wasTrailing);
          } else if (b.length === 3) {
            break; // CRLF CR: wait for the next octet
          } else {
            out.push({ kind: 'pong' });
            this.buf = b.subarray(2);
          }
        } else if (b.length === 1 && b[0] === 13) {
          break;
        } else {
          this.buf = b.subarray(1); // stray LF
        }
        first = false;
        continue;
      }
      first = false;
      const end = b.indexOf(CRLFCRLF, Math.max(0, this.scanned - 3));
      if (end < 0) {
        if (b.length > this.limits.maxHeaderBytes) throw new SipParseError('Header section too large', { status: 513 });
        this.scanned = b.length;
        break;
      }
      if (end > this.limits.maxHeaderBytes) throw new SipParseError('Header section too large', { status: 513 });
      if (!isSipStart(b)) throw new SipParseError('Not a SIP message');
      const length = contentLength(b.subarray(0, end));
      if (length < 0) throw new SipParseError('Missing Content-Length');
      if (length > this.limits.maxBodyBytes) throw new SipParseError('Body too large', { status: 513 });
      this.needed = end + 4 + length;
    }
    if (out.length > 0 && this.buf.length > 0) this.buf = Buffer.from(this.buf); // release consumed octets
    return out;
  }
}

/** True when the buffer starts like a SIP start line (`SIP/` or a token followed by SP). */
function isSipStart(b: Buffer): boolean {
  for (let i = 0; i < b.length && i < 64; i++) {
    const c = b[i];
    if (c === 32) return i > 0;
    if (c === 47) return i === 3 && (b[0] | 0x20) === 0x73 && (b[1] | 0x20) === 0x69 && (b[2] | 0x20) === 0x70;
    if (c <= 32 || c >= 127) return false;
  }
  return false;
}
