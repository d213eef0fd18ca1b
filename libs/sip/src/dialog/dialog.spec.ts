import { getCSeq, parseNameAddr } from '../message';
import { Dialog, dialogKey, uasDialogIdOf } from './dialog';
import { peerRequest } from './fixtures/messages';
import { SipParseError } from '../message';

const OPTIONS = { localTag: 'mcu-tag', localContact: 'sip:mcu@192.0.2.1:5060', initialLocalSeq: 100 };

describe('Dialog (RFC 3261 §12)', () => {
  it('creates the UAS dialog from the INVITE (§12.1.1)', () => {
    const invite = peerRequest({ cseq: 7, headers: ['Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>'] });
    const d = Dialog.createUas(invite, OPTIONS);
    expect(d.id).toEqual({ callId: 'call-1@192.0.2.10', localTag: 'mcu-tag', remoteTag: 'alice-tag' });
    expect(d.key).toBe(dialogKey(d.id));
    expect(d.routeSet.map((r) => r.uri.host)).toEqual(['p1.example.com', 'p2.example.com']);
    expect(d.remoteTarget.host).toBe('192.0.2.10');
    expect(d.remoteTarget.port).toBe(5060);
    expect(d.remoteSeq).toBe(7);
    expect(d.localSeq).toBeUndefined();
    expect(d.secure).toBe(false);
  });

  it('refuses an INVITE without Contact or with two (400)', () => {
    expect(() => Dialog.createUas(peerRequest({ contact: null }), OPTIONS)).toThrow('Missing Contact');
    let error: unknown;
    try {
      Dialog.createUas(peerRequest({ contact: '<sip:a@192.0.2.10>, <sip:b@192.0.2.11>' }), OPTIONS);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SipParseError);
    expect((error as SipParseError).reason).toBe('More than one Contact');
    expect((error as SipParseError).status).toBe(400);
    expect((error as SipParseError).respondable).toBe(true);
  });

  it('targets the From URI of an RFC 2543 INVITE without Contact (RFC 4475 §3.4.1)', () => {
    const d = Dialog.createUas(peerRequest({ contact: null, branch: 'rfc2543-branch' }), OPTIONS);
    expect(d.remoteTarget.user).toBe('alice');
    expect(d.remoteTarget.host).toBe('192.0.2.10');
  });

  it('matches requests to dialogs by Call-ID, To tag and From tag (§12.2.2)', () => {
    expect(uasDialogIdOf(peerRequest())).toBeUndefined();
    expect(uasDialogIdOf(peerRequest({ toTag: 'mcu-tag' }))).toEqual({ callId: 'call-1@192.0.2.10', localTag: 'mcu-tag', remoteTag: 'alice-tag' });
  });

  it('rejects requests whose CSeq is not above the remote sequence number (§12.2.2)', () => {
    const d = Dialog.createUas(peerRequest({ cseq: 5 }), OPTIONS);
    expect(d.acceptRemoteSeq(peerRequest({ method: 'INFO', cseq: 4, toTag: 'mcu-tag' }))).toBe(false);
    expect(d.acceptRemoteSeq(peerRequest({ method: 'INFO', cseq: 5, toTag: 'mcu-tag' }))).toBe(false);
    expect(d.acceptRemoteSeq(peerRequest({ method: 'INFO', cseq: 9, toTag: 'mcu-tag' }))).toBe(true);
    expect(d.remoteSeq).toBe(9);
    expect(d.acceptRemoteSeq(peerRequest({ method: 'BYE', cseq: 6, toTag: 'mcu-tag' }))).toBe(false);
  });

  it('refreshes the remote target from a re-INVITE Contact', () => {
    const d = Dialog.createUas(peerRequest(), OPTIONS);
    d.refreshRemoteTarget(peerRequest({ cseq: 2, toTag: 'mcu-tag', contact: '<sip:alice@198.51.100.4:5070;transport=tcp>' }));
    expect(d.remoteTarget.host).toBe('198.51.100.4');
    expect(d.remoteTarget.params.get('transport')).toBe('tcp');
    d.refreshRemoteTarget(peerRequest({ cseq: 3, toTag: 'mcu-tag', contact: null }));
    expect(d.remoteTarget.host).toBe('198.51.100.4');
  });

  it('builds in-dialog requests without route set (§12.2.1.1)', () => {
    const d = Dialog.createUas(peerRequest(), OPTIONS);
    const bye = d.createRequest('BYE');
    expect(bye.method).toBe('BYE');
    expect(bye.uri).toBe('sip:alice@192.0.2.10:5060');
    expect(bye.headers.has('route')).toBe(false);
    expect(parseNameAddr(bye.header('from')!).params.get('tag')).toBe('mcu-tag');
    expect(parseNameAddr(bye.header('from')!).uri.user).toBe('1000');
    expect(parseNameAddr(bye.header('to')!).params.get('tag')).toBe('alice-tag');
    expect(parseNameAddr(bye.header('to')!).displayName).toBe('Alice');
    expect(bye.header('call-id')).toBe('call-1@192.0.2.10');
    expect(bye.header('cseq')).toBe('100 BYE');
    expect(bye.header('contact')).toBe('<sip:mcu@192.0.2.1:5060>');
    expect(bye.header('max-forwards')).toBe('70');
    expect(d.createRequest('INFO', { body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }).header('cseq')).toBe('101 INFO');
    expect(d.localSeq).toBe(101);
  });

  it('keeps the CSeq of the INVITE for its ACK (§13.2.2.4)', () => {
    const d = Dialog.createUas(peerRequest(), OPTIONS);
    const invite = d.createRequest('INVITE');
    const ack = d.createRequest('ACK', { cseq: getCSeq(invite).seq });
    expect(ack.header('cseq')).toBe(`${getCSeq(invite).seq} ACK`);
    expect(d.createRequest('BYE').header('cseq')).toBe(`${getCSeq(invite).seq + 1} BYE`);
  });

  it('uses loose routing when the first route has lr', () => {
    const d = Dialog.createUas(peerRequest({ headers: ['Record-Route: <sip:p1.example.com;lr>', 'Record-Route: <sip:p2.example.com;lr>'] }), OPTIONS);
    const req = d.createRequest('BYE');
    expect(req.uri).toBe('sip:alice@192.0.2.10:5060');
    expect(req.headers.getAll('route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    expect(d.nextHop().host).toBe('p1.example.com');
  });

  it('uses strict routing when the first route lacks lr: Request-URI = first route, remote target last', () => {
    const d = Dialog.createUas(peerRequest({ headers: ['Record-Route: <sip:strict.example.com>, <sip:p2.example.com;lr>'] }), OPTIONS);
    const req = d.createRequest('BYE');
    expect(req.uri).toBe('sip:strict.example.com');
    expect(req.headers.getAll('route')).toEqual(['<sip:p2.example.com;lr>', '<sip:alice@192.0.2.10:5060>']);
  });

  it('chooses a random initial local CSeq below 2^31 when none is given', () => {
    const d = Dialog.createUas(peerRequest(), { localTag: 't', localContact: 'sip:mcu@192.0.2.1' });
    const seq = getCSeq(d.createRequest('BYE')).seq;
    expect(seq).toBeGreaterThan(0);
    expect(seq).toBeLessThan(2 ** 31);
  });
});
