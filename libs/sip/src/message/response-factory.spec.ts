import { getTag, getTo } from './headers';
import { parseMessage } from './parser';
import { createResponse, generateBranch, generateCallId, generateTag } from './response-factory';
import { serializeMessage } from './serializer';
import { SipHeaders, SipRequest, SipResponse } from './sip-message';
import { reasonPhrase } from './status-codes';

function invite(extra: Array<[string, string]> = []): SipRequest {
  const fields: Array<[string, string]> = [
    ['v', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1'],
    ['Via', 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1'],
    ['Max-Forwards', '69'],
    ['t', 'Bob <sip:bob@biloxi.com>'],
    ['f', 'Alice <sip:alice@atlanta.com>;tag=1928301774'],
    ['i', 'a84b4c76e66710@pc33.atlanta.com'],
    ['CSeq', '314159 INVITE'],
    ['Timestamp', '54'],
    ['Contact', '<sip:alice@pc33.atlanta.com>'],
    ...extra,
  ];
  return new SipRequest('INVITE', 'sip:bob@biloxi.com', new SipHeaders(fields.map(([name, value]) => ({ name, value }))));
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies Via (all, in order), From, To, Call-ID and CSeq, and adds the To tag', () => {
    const r = createResponse(invite(), 200, undefined, { toTag: 'a6c85cf', body: Buffer.from('v=0\r\n'), contentType: 'application/sdp' });
    expect(r.status).toBe(200);
    expect(r.reason).toBe('OK');
    expect(r.headers.list()).toEqual([
      { name: 'Via', value: 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1' },
      { name: 'Via', value: 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds;received=192.0.2.1' },
      { name: 'From', value: 'Alice <sip:alice@atlanta.com>;tag=1928301774' },
      { name: 'To', value: 'Bob <sip:bob@biloxi.com>;tag=a6c85cf' },
      { name: 'Call-ID', value: 'a84b4c76e66710@pc33.atlanta.com' },
      { name: 'CSeq', value: '314159 INVITE' },
      { name: 'Content-Type', value: 'application/sdp' },
    ]);
    const wire = serializeMessage(r);
    const back = parseMessage(wire) as SipResponse;
    expect(getTag(getTo(back))).toBe('a6c85cf');
    expect(back.body.toString()).toBe('v=0\r\n');
  });

  it('keeps an existing To tag and copies Timestamp into 100 Trying only (§8.2.6.1)', () => {
    const req = invite();
    req.headers.set('To', 'Bob <sip:bob@biloxi.com>;tag=existing');
    const trying = createResponse(req, 100, undefined, { toTag: 'new' });
    expect(trying.headers.get('to')).toBe('Bob <sip:bob@biloxi.com>;tag=existing');
    expect(trying.headers.get('timestamp')).toBe('54');
    expect(createResponse(req, 180).headers.has('timestamp')).toBe(false);
  });

  it('builds what it can from a partial request (missing headers left out)', () => {
    const partial = new SipRequest('INVITE', 'sip:x', new SipHeaders([{ name: 'Via', value: 'SIP/2.0/UDP h;branch=z9hG4bK1' }]));
    const r = createResponse(partial, 400, 'Missing To, From, Call-ID');
    expect(serializeMessage(r).toString()).toBe(
      'SIP/2.0 400 Missing To, From, Call-ID\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n',
    );
  });
});

describe('identifiers', () => {
  it('generates branches with the magic cookie, and distinct tags and Call-IDs', () => {
    const branches = new Set(Array.from({ length: 100 }, generateBranch));
    expect(branches.size).toBe(100);
    for (const b of branches) expect(b).toMatch(/^z9hG4bK[0-9a-f]{20}$/);
    expect(generateTag()).toMatch(/^[0-9a-f]{16}$/);
    expect(generateTag()).not.toBe(generateTag());
    expect(generateCallId('mcu.example.com')).toMatch(/^[0-9a-f]{32}@mcu\.example\.com$/);
    expect(generateCallId()).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('reasonPhrase (RFC 3261 §21 and extensions)', () => {
  it.each([
    [100, 'Trying'],
    [183, 'Session Progress'],
    [416, 'Unsupported URI Scheme'],
    [420, 'Bad Extension'],
    [422, 'Session Interval Too Small'],
    [481, 'Call/Transaction Does Not Exist'],
    [488, 'Not Acceptable Here'],
    [491, 'Request Pending'],
    [505, 'Version Not Supported'],
    [603, 'Decline'],
    [499, 'Bad Request'],
    [299, 'OK'],
    [999, 'Unknown'],
  ])('%i → %s', (status, phrase) => {
    expect(reasonPhrase(status)).toBe(phrase);
  });
});

describe('serializeMessage', () => {
  it('writes headers in order, sets Content-Length to the body length in place, drops duplicates', () => {
    const req = invite([
      ['l', '999'],
      ['Content-Length', '5'],
    ]);
    req.body = Buffer.from([0, 1, 2]);
    const text = serializeMessage(req).toString('latin1');
    expect(text.startsWith('INVITE sip:bob@biloxi.com SIP/2.0\r\nv: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1\r\n')).toBe(true);
    expect(text).toContain('\r\nl: 3\r\n\r\n\x00\x01\x02');
    expect(text).not.toContain('Content-Length');
  });

  it('writes UTF-8 header values and their octet count correctly', () => {
    const res = new SipResponse(200, 'Très bien', new SipHeaders([{ name: 'Subject', value: 'résumé' }]), Buffer.from('é'));
    const out = serializeMessage(res);
    expect(out.toString('utf8')).toBe('SIP/2.0 200 Très bien\r\nSubject: résumé\r\nContent-Length: 2\r\n\r\né');
  });
});
