/**
 * Netstrings (`<decimal length>:<bytes>,`), the framing baresip's ctrl_tcp module uses for its JSON
 * commands, responses and events.
 */

/** Frames `payload` as a netstring. */
export function encodeNetstring(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}:`, 'ascii'), body, Buffer.from(',', 'ascii')]);
}

/** Incremental decoder: feed stream chunks, get complete payloads. */
export class NetstringDecoder {
  private buffer = Buffer.alloc(0);

  /**
   * Appends `chunk` and returns every payload completed by it.
   *
   * @throws Error on a malformed frame (non-digit length, missing `:` or `,`, length over 1 MiB)
   */
  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: string[] = [];
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) {
        if (this.buffer.length > 10) throw new Error('netstring length prefix too long');
        return out;
      }
      const lengthText = this.buffer.subarray(0, colon).toString('ascii');
      if (!/^\d+$/.test(lengthText)) throw new Error(`bad netstring length ${JSON.stringify(lengthText)}`);
      const length = Number(lengthText);
      if (length > 1024 * 1024) throw new Error(`netstring of ${length} octets exceeds 1 MiB`);
      const end = colon + 1 + length;
      if (this.buffer.length < end + 1) return out;
      if (this.buffer[end] !== 0x2c) throw new Error('netstring not terminated by ","');
      out.push(this.buffer.subarray(colon + 1, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end + 1);
    }
  }
}
