import fc from 'fast-check';
import { SipParseError } from './errors';
import { parseMessage } from './parser';
import { StreamFramer, type FramedItem } from './stream-framer';

function message(callId: string, body = '', lengthHeader = 'Content-Length'): Buffer {
  return Buffer.from(
    [
      'MESSAGE sip:room@mcu.example.com SIP/2.0',
      'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK' + callId,
      'Max-Forwards: 70',
      'To: <sip:room@mcu.example.com>',
      'From: <sip:a@example.com>;tag=1',
      `Call-ID: ${callId}`,
      'CSeq: 1 MESSAGE',
      `${lengthHeader}: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

const kinds = (items: FramedItem[]): string[] => items.map((i) => (i.kind === 'message' ? `message:${i.data.length}` : i.kind));

describe('StreamFramer (RFC 3261 §18.3, RFC 5626 §4.4.1)', () => {
  it('frames back-to-back messages in one chunk', () => {
    const a = message('a', 'hello');
    const b = message('b', '');
    const items = new StreamFramer().push(Buffer.concat([a, b]));
    expect(kinds(items)).toEqual([`message:${a.length}`, `message:${b.length}`]);
    expect((items[0] as { data: Buffer }).data.equals(a)).toBe(true);
  });

  it('reassembles the same stream for any chunking', () => {
    const msgs = [message('one', 'x'.repeat(300)), message('two'), message('three', 'body\r\n\r\nwith blank line', 'l')];
    const stream = Buffer.concat([Buffer.from('\r\n\r\n'), msgs[0], msgs[1], Buffer.from('\r\n\r\n'), msgs[2]]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 30 }), (cuts) => {
        const framer = new StreamFramer();
        const points = [0, ...cuts.sort((x, y) => x - y), stream.length];
        const out: FramedItem[] = [];
        for (let i = 0; i + 1 < points.length; i++) out.push(...framer.push(stream.subarray(points[i], points[i + 1])));
        const messages = out.filter((i): i is { kind: 'message'; data: Buffer } => i.kind === 'message');
        expect(messages.map((m) => m.data.toString())).toEqual(msgs.map((m) => m.toString()));
        expect(framer.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('reports CRLFCRLF as ping and a lone CRLF as pong', () => {
    const framer = new StreamFramer();
    expect(kinds(framer.push(Buffer.from('\r\n\r\n')))).toEqual(['ping']);
    expect(kinds(framer.push(Buffer.from('\r\n')))).toEqual(['pong']);
    const m = message('k');
    expect(kinds(new StreamFramer().push(Buffer.concat([Buffer.from('\r\n'), m])))).toEqual(['pong', `message:${m.length}`]);
  });

  it('completes a ping split across chunks', () => {
    const framer = new StreamFramer();
    expect(kinds(framer.push(Buffer.from('\r\n')))).toEqual(['pong']);
    expect(kinds(framer.push(Buffer.from('\r\n')))).toEqual(['ping']);
    expect(kinds(framer.push(Buffer.from('\r')))).toEqual([]);
    expect(kinds(framer.push(Buffer.from('\n\r\n\r\n')))).toEqual(['ping', 'pong']);
  });

  it('yields frames that parse', () => {
    const [item] = new StreamFramer().push(message('p', 'hi'));
    expect(item.kind).toBe('message');
    expect(parseMessage((item as { data: Buffer }).data).body.toString()).toBe('hi');
  });

  it.each([
    ['a missing Content-Length', Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n'), 'Missing Content-Length'],
    ['a negative Content-Length', Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n'), 'Invalid Content-Length'],
    ['a non-numeric Content-Length', Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nl: five\r\n\r\n'), 'Invalid Content-Length'],
    ['two Content-Lengths', Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 1\r\n\r\nxx'), 'Multiple Content-Length values'],
    ['data that is not SIP', Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'), 'Not a SIP message'],
  ])('throws on %s', (_what, data, reason) => {
    expect(() => new StreamFramer().push(data)).toThrow(reason);
  });

  it('caps the header section', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 1024 });
    const start = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX: ');
    expect(framer.push(start)).toEqual([]);
    let thrown: unknown;
    try {
      for (let i = 0; i < 100; i++) framer.push(Buffer.alloc(100, 0x61));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SipParseError);
    expect((thrown as SipParseError).reason).toBe('Header section too large');
    expect(framer.bufferedBytes).toBeLessThan(1024 + 200);
  });

  it('caps the body before buffering it', () => {
    const framer = new StreamFramer({ maxBodyBytes: 1000 });
    expect(() => framer.push(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1001\r\n\r\n'))).toThrow('Body too large');
  });

  it('waits for a body that arrives in many small chunks', () => {
    const body = 'z'.repeat(5000);
    const m = message('slow', body);
    const framer = new StreamFramer();
    const out: FramedItem[] = [];
    for (let i = 0; i < m.length; i += 7) out.push(...framer.push(m.subarray(i, i + 7)));
    expect(kinds(out)).toEqual([`message:${m.length}`]);
  });
});
