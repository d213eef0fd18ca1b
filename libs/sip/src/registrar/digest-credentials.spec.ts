import { SipParseError } from '../message';
import { computeDigestResponse, computeHa1, parseDigestCredentials } from './digest-credentials';

// RFC 7616 §3.9.1: user "Mufasa", password "Circle of Life", GET /dir/index.html. The expected values were
// computed outside this code (openssl dgst) and match the RFC's published responses.
const RFC7616 = {
  username: 'Mufasa',
  realm: 'http-auth@example.org',
  password: 'Circle of Life',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  method: 'GET',
  uri: '/dir/index.html',
};

// A SIP REGISTER computed by hand with openssl: alice / mcu.example / s3cret, nonce from RFC 2617 §3.5.
const SIP = {
  username: 'alice',
  realm: 'mcu.example',
  password: 's3cret',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  cnonce: '0a4f113b',
  nc: '00000001',
  method: 'REGISTER',
  uri: 'sip:mcu.example',
};

describe('computeHa1 / computeDigestResponse (RFC 7616 §3.4)', () => {
  it('reproduces RFC 7616 §3.9.1 with MD5', () => {
    const ha1 = computeHa1('MD5', RFC7616.username, RFC7616.realm, RFC7616.password);
    expect(ha1).toBe('3d78807defe7de2157e2b0b6573a855f');
    expect(computeDigestResponse({ algorithm: 'MD5', ha1, qop: 'auth', ...RFC7616 })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('reproduces RFC 7616 §3.9.1 with SHA-256', () => {
    const ha1 = computeHa1('SHA-256', RFC7616.username, RFC7616.realm, RFC7616.password);
    expect(ha1).toBe('7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232');
    expect(computeDigestResponse({ algorithm: 'SHA-256', ha1, qop: 'auth', ...RFC7616 })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('computes a SIP REGISTER response for MD5, SHA-256, MD5-sess and the qop-less RFC 2069 form', () => {
    const md5 = computeHa1('MD5', SIP.username, SIP.realm, SIP.password);
    const sha = computeHa1('SHA-256', SIP.username, SIP.realm, SIP.password);
    expect(md5).toBe('569928f22c64a11b5ed13ba6a04f803e');
    expect(sha).toBe('36d37809d8ebca0581c7a5b033a05b73e9ec035fbb1f2ece3b7cca1ab35cc4e3');
    expect(computeDigestResponse({ algorithm: 'MD5', ha1: md5, qop: 'auth', ...SIP })).toBe('9bf6e80f89f9c8c0f4220cd702b9f060');
    expect(computeDigestResponse({ algorithm: 'SHA-256', ha1: sha, qop: 'auth', ...SIP })).toBe(
      'd7540e73f0e5919997242fedf7d2a59cedf9f4e460769a2ae591cf3e9e939b4c',
    );
    expect(computeDigestResponse({ algorithm: 'MD5-sess', ha1: md5, qop: 'auth', ...SIP })).toBe('9bc5534c1050fd7a886532a9aa6d361c');
    const { nc: _nc, cnonce: _cnonce, ...noQop } = SIP;
    expect(computeDigestResponse({ algorithm: 'MD5', ha1: md5, ...noQop })).toBe('b67d6fcfc28b4d00d49679e8f75c7ec5');
  });

  it('refuses qop or -sess without nc/cnonce', () => {
    expect(() => computeDigestResponse({ algorithm: 'MD5', ha1: '0', nonce: 'n', method: 'M', uri: 'u', qop: 'auth' })).toThrow(RangeError);
    expect(() => computeDigestResponse({ algorithm: 'MD5-sess', ha1: '0', nonce: 'n', method: 'M', uri: 'u' })).toThrow(RangeError);
  });
});

describe('parseDigestCredentials (RFC 7616 §3.4)', () => {
  const valid =
    'Digest username="alice", realm="mcu.example", nonce="abc", uri="sip:mcu.example", ' +
    'response="9BF6E80F89F9C8C0F4220CD702B9F060", algorithm=md5, qop=auth, nc=00000001, cnonce="0a4f113b", opaque="xyz"';

  it('reads every parameter, case-insensitive scheme and algorithm', () => {
    const c = parseDigestCredentials(valid.replace('Digest', 'digest'));
    expect(c).toEqual({
      username: 'alice',
      realm: 'mcu.example',
      nonce: 'abc',
      uri: 'sip:mcu.example',
      response: '9BF6E80F89F9C8C0F4220CD702B9F060',
      algorithm: 'MD5',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      opaque: 'xyz',
      userhash: false,
    });
  });

  it('defaults the algorithm to MD5 and accepts the RFC 2069 form', () => {
    const c = parseDigestCredentials('Digest username="a", realm="r", nonce="n", uri="sip:r", response="b67d6fcfc28b4d00d49679e8f75c7ec5"');
    expect(c?.algorithm).toBe('MD5');
    expect(c?.qop).toBeUndefined();
  });

  it('decodes username* (RFC 8187 ext-value)', () => {
    const c = parseDigestCredentials(
      "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"r\", nonce=\"n\", uri=\"sip:r\", response=\"b67d6fcfc28b4d00d49679e8f75c7ec5\"",
    );
    expect(c?.username).toBe('Jäsøn Doe');
  });

  it('returns undefined for other schemes', () => {
    expect(parseDigestCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toBeUndefined();
  });

  it.each([
    ['no username', valid.replace('username="alice", ', ''), 'Invalid Authorization username'],
    ['username and username*', valid.replace('username="alice"', "username=\"a\", username*=UTF-8''a"), 'Invalid Authorization username'],
    ['no realm', valid.replace('realm="mcu.example", ', ''), 'Invalid Authorization realm'],
    ['no nonce', valid.replace('nonce="abc", ', ''), 'Invalid Authorization nonce'],
    ['no uri', valid.replace('uri="sip:mcu.example", ', ''), 'Invalid Authorization uri'],
    ['response not hex', valid.replace('9BF6E80F89F9C8C0F4220CD702B9F060', 'zz'), 'Invalid Authorization response'],
    ['qop without nc', valid.replace('nc=00000001, ', ''), 'Invalid Authorization nc'],
    ['qop without cnonce', valid.replace(', cnonce="0a4f113b"', ''), 'Invalid Authorization cnonce'],
    ['nc not 8 hex digits', valid.replace('nc=00000001', 'nc=1'), 'Invalid Authorization nc'],
    ['username* in another charset', valid.replace('username="alice"', "username*=ISO-8859-1''a"), 'Invalid Authorization username*'],
    ['unterminated quote', 'Digest username="alice', 'Invalid authorization header'],
    ['parameter without value', 'Digest username=, realm="r"', 'Invalid authorization header'],
    ['garbage', 'Digest ,,,', 'Invalid authorization header'],
  ])('rejects %s with a reason', (_name, value, reason) => {
    let error: unknown;
    try {
      parseDigestCredentials(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SipParseError);
    expect((error as SipParseError).reason).toBe(reason);
  });
});
