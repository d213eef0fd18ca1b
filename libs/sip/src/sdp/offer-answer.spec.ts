import fc from 'fast-check';
import { parse } from 'sdp-transform';
import { BARESIP, CISCO, CISCO_HOLD_2543, LINPHONE, POLYCOM, SIPP_UAC, sdp } from './fixtures/real-world-offers';
import { acceptedKinds, createAnswer, createOffer, planAnswer } from './offer-answer';
import { negotiatedMedia } from './negotiated-media';
import { SdpNegotiationError, SdpParseError } from './sdp-error';
import { SdpOrigin } from './session-description';

const ORIGIN = { sessionId: '4711', sessionVersion: 1 };
const LOCAL = { address: '192.0.2.1', ports: { audio: 20000, video: 20002 }, origin: ORIGIN };

function answer(offer: string, options: Partial<typeof LOCAL> = {}) {
  const text = createAnswer(offer, { ...LOCAL, ...options });
  return { text, sdp: parse(text) };
}

describe('createAnswer with real-world offers (RFC 3264 §6)', () => {
  it('answers SIPp with PCMU on the local address and port', () => {
    const { text, sdp: a } = answer(SIPP_UAC);
    expect(text.startsWith('v=0\r\no=tessera 4711 1 IN IP4 192.0.2.1\r\n')).toBe(true);
    expect(a.connection).toEqual({ version: 4, ip: '192.0.2.1' });
    expect(a.media).toHaveLength(1);
    expect(a.media[0]).toMatchObject({ type: 'audio', port: 20000, protocol: 'RTP/AVP', payloads: 0, direction: 'sendrecv' });
    expect(a.media[0].rtp).toEqual([{ payload: 0, codec: 'PCMU', rate: 8000 }]);
  });

  it('answers baresip with opus (its first codec) under its payload type, with telephone-event and ptime', () => {
    const { sdp: a } = answer(BARESIP);
    const m = a.media[0];
    expect(m.payloads).toBe('96 101');
    expect(m.rtp).toEqual([
      { payload: 96, codec: 'opus', rate: 48000, encoding: 2 },
      { payload: 101, codec: 'telephone-event', rate: 8000 },
    ]);
    expect(m.fmtp).toEqual([{ payload: 101, config: '0-15' }]);
    expect(m.ptime).toBe(20);
    expect(m.rtcpMux).toBeUndefined();
  });

  it('answers Linphone: opus with the 48 kHz telephone-event, VP8 with the supported feedback', () => {
    const { sdp: a } = answer(LINPHONE);
    expect(a.media).toHaveLength(2);
    expect(a.media[0].payloads).toBe('96 101');
    expect(a.media[0].rtp[1]).toEqual({ payload: 101, codec: 'telephone-event', rate: 48000 });
    expect(a.media[1]).toMatchObject({ type: 'video', port: 20002, payloads: 96 });
    expect(a.media[1].rtp).toEqual([{ payload: 96, codec: 'VP8', rate: 90000 }]);
    expect(a.media[1].rtcpFb).toEqual([
      { payload: 96, type: 'nack', subtype: 'pli' },
      { payload: 96, type: 'ccm', subtype: 'fir' },
    ]);
  });

  it('answers Polycom: G.722, the first acceptable H.264 (single NAL mode), BFCP rejected with port 0', () => {
    const { sdp: a } = answer(POLYCOM);
    expect(a.media).toHaveLength(3);
    expect(a.media[0].payloads).toBe('9 101');
    expect(a.media[1].payloads).toBe(109);
    expect(a.media[1].fmtp).toEqual([{ payload: 109, config: 'profile-level-id=428016' }]);
    expect(a.media[2]).toMatchObject({ type: 'application', port: 0, protocol: 'TCP/BFCP', payloads: '*' });
  });

  it('answers Cisco: static payload types without rtpmap, G.729 skipped for PCMU, ptime kept', () => {
    const { sdp: a } = answer(CISCO);
    expect(a.media[0].payloads).toBe('0 101');
    expect(a.media[0].rtp[0]).toEqual({ payload: 0, codec: 'PCMU', rate: 8000 });
    expect(a.media[0].ptime).toBe(20);
  });

  it('answers an RFC 2543 hold (c=0.0.0.0) as recvonly', () => {
    expect(answer(CISCO_HOLD_2543).sdp.media[0].direction).toBe('recvonly');
  });
});

const BASE = ['v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0'];

describe('createAnswer edge cases', () => {
  it.each([
    ['sendonly', 'recvonly'],
    ['recvonly', 'sendonly'],
    ['inactive', 'inactive'],
    ['sendrecv', 'sendrecv'],
  ] as const)('answers a=%s with a=%s (RFC 3264 §6.1)', (offered, answered) => {
    const { sdp: a } = answer(sdp(...BASE, 'm=audio 4000 RTP/AVP 8', `a=${offered}`));
    expect(a.media[0].direction).toBe(answered);
  });

  it('applies a session-level direction to the m-lines', () => {
    const { sdp: a } = answer(sdp(...BASE, 'a=sendonly', 'm=audio 4000 RTP/AVP 8'));
    expect(a.media[0].direction).toBe('recvonly');
  });

  it('combines a local hold preference with the offered direction', () => {
    const offer = sdp(...BASE, 'm=audio 4000 RTP/AVP 8');
    expect(parse(createAnswer(offer, { ...LOCAL, localDirection: 'sendonly' })).media[0].direction).toBe('sendonly');
    expect(parse(createAnswer(offer, { ...LOCAL, localDirection: 'inactive' })).media[0].direction).toBe('inactive');
  });

  it('throws SdpNegotiationError (488) when no codec is common', () => {
    const offer = sdp(...BASE, 'm=audio 4000 RTP/AVP 18', 'a=rtpmap:18 G729/8000');
    expect(() => createAnswer(offer, LOCAL)).toThrow(SdpNegotiationError);
    try {
      createAnswer(offer, LOCAL);
    } catch (err) {
      expect((err as SdpNegotiationError).status).toBe(488);
      expect((err as SdpNegotiationError).reason).toContain('no common audio codec');
    }
  });

  it('does not accept telephone-event alone', () => {
    expect(() => createAnswer(sdp(...BASE, 'm=audio 4000 RTP/AVP 101', 'a=rtpmap:101 telephone-event/8000'), LOCAL)).toThrow(
      SdpNegotiationError,
    );
  });

  it('rejects an m-line offered with port 0 and accepts the others', () => {
    const { sdp: a } = answer(sdp(...BASE, 'm=audio 4000 RTP/AVP 0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 VP8/90000'));
    expect(a.media.map((m) => m.port)).toEqual([20000, 0]);
    expect(a.media[1].payloads).toBe(96);
  });

  it('takes the connection address from the media level when the session has none', () => {
    const offer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 198.51.100.9');
    expect(answer(offer).sdp.media[0].port).toBe(20000);
    expect(negotiatedMedia({ local: answer(offer).text, remote: offer, localRole: 'answerer' }).streams[0].address).toBe('198.51.100.9');
  });

  it('rejects an m-line without any connection address', () => {
    const offer = sdp('v=0', 'o=- 1 1 IN IP4 198.51.100.7', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0');
    expect(() => createAnswer(offer, LOCAL)).toThrow(/no connection address/);
  });

  it('answers an IPv6 offer, and writes IP6 for an IPv6 local address', () => {
    const offer = sdp('v=0', 'o=- 1 1 IN IP6 2001:db8::7', 's=-', 'c=IN IP6 2001:db8::7', 't=0 0', 'm=audio 4000 RTP/AVP 8');
    const a = parse(createAnswer(offer, { ...LOCAL, address: '2001:db8::1' }));
    expect(a.connection).toEqual({ version: 6, ip: '2001:db8::1' });
    expect(a.origin.ipVer).toBe(6);
    expect(negotiatedMedia({ local: write6(offer), remote: offer, localRole: 'answerer' }).address).toBe('2001:db8::7');
    function write6(o: string): string {
      return createAnswer(o, { ...LOCAL, address: '2001:db8::1' });
    }
  });

  it('echoes a=rtcp-mux and a=mid when offered', () => {
    const { sdp: a } = answer(sdp(...BASE, 'm=audio 4000 RTP/AVP 0', 'a=rtcp-mux', 'a=mid:audio'));
    expect(a.media[0].rtcpMux).toBe('rtcp-mux');
    expect(a.media[0].mid).toBe('audio');
  });

  it('rejects SRTP and WebRTC transports', () => {
    expect(() => createAnswer(sdp(...BASE, 'm=audio 4000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz'), LOCAL)).toThrow(
      /transport RTP\/SAVP not supported/,
    );
    expect(() => createAnswer(sdp(...BASE, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2'), LOCAL)).toThrow(SdpNegotiationError);
  });

  it('accepts only the first audio m-line', () => {
    const { sdp: a } = answer(sdp(...BASE, 'm=audio 4000 RTP/AVP 0', 'm=audio 4002 RTP/AVP 8'));
    expect(a.media.map((m) => m.port)).toEqual([20000, 0]);
  });

  it('skips dynamic payload types without rtpmap and H.264 in interleaved mode', () => {
    const offer = sdp(
      ...BASE,
      'm=audio 4000 RTP/AVP 97 8',
      'm=video 4002 RTP/AVP 98 99',
      'a=rtpmap:98 H264/90000',
      'a=fmtp:98 profile-level-id=42e01f;packetization-mode=2',
      'a=rtpmap:99 H264/90000',
      'a=fmtp:99 profile-level-id=64e028;packetization-mode=1;level-asymmetry-allowed=1',
    );
    const { sdp: a } = answer(offer);
    expect(a.media[0].payloads).toBe(8);
    expect(a.media[1].fmtp).toEqual([{ payload: 99, config: 'profile-level-id=64e01f;packetization-mode=1;level-asymmetry-allowed=1' }]);
  });

  it('reports the accepted kinds so that ports can be allocated', () => {
    expect(acceptedKinds(planAnswer(LINPHONE))).toEqual(['audio', 'video']);
    expect(acceptedKinds(planAnswer(POLYCOM))).toEqual(['audio', 'video']);
    expect(acceptedKinds(planAnswer(CISCO))).toEqual(['audio']);
  });

  it('answers a kind without a local port with port 0', () => {
    const a = parse(createAnswer(LINPHONE, { ...LOCAL, ports: { audio: 20000 } }));
    expect(a.media.map((m) => m.port)).toEqual([20000, 0]);
    expect(() => createAnswer(SIPP_UAC, { ...LOCAL, ports: {} })).toThrow(SdpNegotiationError);
  });

  it.each([
    ['garbage', 'hello'],
    ['no o= line', 'v=0\r\ns=-\r\nm=audio 4000 RTP/AVP 0\r\n'],
    ['port out of range', sdp(...BASE, 'm=audio 70000 RTP/AVP 0')],
    ['m= line without formats', sdp(...BASE, 'm=audio 4000 RTP/AVP')],
  ])('throws SdpParseError (400) for %s', (_name, text) => {
    expect(() => createAnswer(text, LOCAL)).toThrow(SdpParseError);
  });

  it('throws SdpNegotiationError for an offer without m-lines', () => {
    expect(() => createAnswer(sdp(...BASE), LOCAL)).toThrow(SdpNegotiationError);
  });

  it('always keeps the m-line count and picks the first supported codec in offer order (property)', () => {
    const pool = ['18 G729/8000', '0 PCMU/8000', '8 PCMA/8000', '9 G722/8000', '3 GSM/8000', '111 opus/48000/2', '97 iLBC/8000'];
    const supported = new Set([0, 8, 9, 111]);
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: 1 }), fc.integer({ min: 0, max: 2 }), (codecs, extraLines) => {
        const pts = codecs.map((c) => Number(c.split(' ')[0]));
        const lines = [...BASE, `m=audio 4000 RTP/AVP ${pts.join(' ')}`, ...codecs.map((c) => `a=rtpmap:${c}`)];
        for (let i = 0; i < extraLines; i++) lines.push('m=image 5000 udptl t38');
        const expected = pts.find((p) => supported.has(p));
        if (expected === undefined) {
          expect(() => createAnswer(sdp(...lines), LOCAL)).toThrow(SdpNegotiationError);
          return;
        }
        const a = parse(createAnswer(sdp(...lines), LOCAL));
        expect(a.media).toHaveLength(1 + extraLines);
        expect(String(a.media[0].payloads)).toBe(String(expected));
      }),
      { numRuns: 200 },
    );
  });
});

describe('createOffer (RFC 3264 §5) and negotiatedMedia (§6, §7)', () => {
  it('offers every capability with rtpmap lines, audio first', () => {
    const o = parse(createOffer(LOCAL));
    expect(o.media.map((m) => m.type)).toEqual(['audio', 'video']);
    expect(o.media[0].payloads).toBe('0 8 9 111 101');
    expect(o.media[1].payloads).toBe('96 97 98 99 34 31');
    expect(o.media[0].ptime).toBe(20);
    expect(o.media[1].fmtp).toContainEqual({ payload: 96, config: 'profile-level-id=42e01f;packetization-mode=1' });
    expect(o.media[1].fmtp).toContainEqual({ payload: 99, config: 'CIF=1;QCIF=1' });
    expect(o.media[1].rtp).toContainEqual({ payload: 99, codec: 'H263-1998', rate: 90000 });
  });

  it('offers video with PLI and FIR feedback for every format and a b=AS, audio without either', () => {
    const o = parse(createOffer({ ...LOCAL, videoBandwidthKbps: 800 }));
    expect(o.media[1].bandwidth).toEqual([{ type: 'AS', limit: 800 }]);
    for (const pt of [96, 97, 98, 99, 34, 31]) {
      expect(o.media[1].rtcpFb).toContainEqual({ payload: pt, type: 'nack', subtype: 'pli' });
      expect(o.media[1].rtcpFb).toContainEqual({ payload: pt, type: 'ccm', subtype: 'fir' });
    }
    expect(o.media[0].bandwidth).toBeUndefined();
    expect(o.media[0].rtcpFb).toBeUndefined();
    expect(parse(createOffer({ ...LOCAL, videoBandwidthKbps: 0 })).media[1].bandwidth).toBeUndefined();
  });

  it('offers only the kinds that have a port', () => {
    expect(parse(createOffer({ ...LOCAL, ports: { audio: 20000 } })).media).toHaveLength(1);
    expect(() => createOffer({ ...LOCAL, ports: {} })).toThrow(SdpNegotiationError);
  });

  it('reads the answer to a local offer: the answerer\'s first codec, its numbering, its direction reversed', () => {
    const offer = createOffer(LOCAL);
    const remote = sdp(
      'v=0',
      'o=- 9 9 IN IP4 192.0.2.10',
      's=-',
      'c=IN IP4 192.0.2.10',
      't=0 0',
      'm=audio 10002 RTP/AVP 8 100',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:100 telephone-event/8000',
      'a=recvonly',
      'a=rtcp:10010',
      'm=video 0 RTP/AVP 96',
    );
    const media = negotiatedMedia({ local: offer, remote, localRole: 'offerer' });
    expect(media).toEqual({
      address: '192.0.2.10',
      streams: [
        {
          kind: 'audio',
          index: 0,
          mid: undefined,
          address: '192.0.2.10',
          port: 10002,
          rtcpPort: 10010,
          localPort: 20000,
          payloadType: 8,
          codec: 'PCMA',
          clockRate: 8000,
          channels: 1,
          fmtp: undefined,
          ptime: 20,
          direction: 'sendonly',
          rtcpMux: false,
          telephoneEventPt: 100,
          rtcpFeedback: [],
          bandwidth: {},
        },
      ],
    });
  });

  it('reads an exchange where the MCU answered', () => {
    const local = createAnswer(LINPHONE, LOCAL);
    const media = negotiatedMedia({ local, remote: LINPHONE, localRole: 'answerer' });
    expect(media.streams.map((s) => [s.kind, s.codec, s.payloadType, s.port, s.localPort, s.telephoneEventPt])).toEqual([
      ['audio', 'opus', 96, 7078, 20000, 101],
      ['video', 'VP8', 96, 9078, 20002, undefined],
    ]);
    expect(media.streams[1].rtcpFeedback).toEqual(['nack pli', 'ccm fir']);
    expect(media.streams[0].fmtp).toBe('useinbandfec=1');
    expect(media.streams[0].rtcpPort).toBe(7079);
  });

  it('answers video with PLI and FIR feedback and b=AS even when the offer lists none, and reports only what the remote listed', () => {
    const offer = sdp(...BASE, 'm=audio 4000 RTP/AVP 0', 'm=video 4002 RTP/AVP 96', 'b=AS:512', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 profile-level-id=42e01e;packetization-mode=1;sprop-parameter-sets=Z0LAHtkA,aM4G4g==');
    const local = createAnswer(offer, LOCAL);
    const a = parse(local);
    expect(a.media[1].rtcpFb).toEqual([
      { payload: 96, type: 'nack', subtype: 'pli' },
      { payload: 96, type: 'ccm', subtype: 'fir' },
    ]);
    expect(a.media[1].bandwidth).toEqual([{ type: 'AS', limit: 1100 }]);
    expect(a.media[0].bandwidth).toBeUndefined();
    const video = negotiatedMedia({ local, remote: offer, localRole: 'answerer' }).streams[1];
    expect(video).toMatchObject({ codec: 'H264', rtcpFeedback: [], bandwidth: { asKbps: 512 } });
    expect(video.fmtp).toContain('sprop-parameter-sets=Z0LAHtkA,aM4G4g==');
  });

  it('reads b=TIAS and b=AS of the remote video, the m-line before the session level', () => {
    const offer = sdp('v=0', 'o=- 1 1 IN IP4 192.0.2.10', 's=-', 'c=IN IP4 192.0.2.10', 'b=AS:3000', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'm=video 4002 RTP/AVP 98', 'b=TIAS:640000', 'a=rtpmap:98 VP8/90000');
    const streams = negotiatedMedia({ local: createAnswer(offer, LOCAL), remote: offer, localRole: 'answerer' }).streams;
    expect(streams[1].bandwidth).toEqual({ asKbps: 3000, tiasBps: 640000 });
    expect(streams[0].bandwidth).toEqual({ asKbps: 3000 });
  });

  it('accepts H.263-1998, H.263 (static 34) and H.261 (static 31), H.263-2000 only in its baseline profile', () => {
    const pick = (...lines: string[]) => parse(createAnswer(sdp(...BASE, 'm=video 4002 RTP/AVP ' + lines.shift(), ...lines), LOCAL)).media[0];
    expect(pick('100', 'a=rtpmap:100 H263-1998/90000', 'a=fmtp:100 QCIF=2')).toMatchObject({ payloads: 100, fmtp: [{ payload: 100, config: 'CIF=1;QCIF=1' }] });
    expect(pick('34')).toMatchObject({ payloads: 34, rtp: [{ payload: 34, codec: 'H263', rate: 90000 }] });
    expect(pick('31')).toMatchObject({ payloads: 31 });
    expect(pick('101', 'a=rtpmap:101 H263-2000/90000', 'a=fmtp:101 profile=0;level=10')).toMatchObject({ payloads: 101 });
    expect(() => pick('101', 'a=rtpmap:101 H263-2000/90000', 'a=fmtp:101 profile=3;level=10')).toThrow(SdpNegotiationError);
  });

  it('reports recvonly for a remote RFC 2543 hold', () => {
    const local = createAnswer(CISCO_HOLD_2543, LOCAL);
    expect(negotiatedMedia({ local, remote: CISCO_HOLD_2543, localRole: 'answerer' }).streams[0].direction).toBe('recvonly');
  });

  it('rejects an answer with another number of m-lines, or without a common codec', () => {
    const offer = createOffer(LOCAL);
    const oneLine = sdp(...BASE, 'm=audio 4000 RTP/AVP 0');
    expect(() => negotiatedMedia({ local: offer, remote: oneLine, localRole: 'offerer' })).toThrow(SdpNegotiationError);
    const foreign = sdp(...BASE, 'm=audio 4000 RTP/AVP 18', 'm=video 0 RTP/AVP 96');
    expect(() => negotiatedMedia({ local: offer, remote: foreign, localRole: 'offerer' })).toThrow(/No common media/);
  });
});

describe('SdpOrigin (RFC 3264 §8)', () => {
  it('keeps the version for an unchanged description and increments it on a change', () => {
    const origin = new SdpOrigin('1234567');
    const render = (port: number) => (o: { sessionId: string; sessionVersion: number }) =>
      createOffer({ ...LOCAL, ports: { audio: port }, origin: o });
    const v1 = parse(origin.stamp(render(20000))).origin.sessionVersion;
    const v2 = parse(origin.stamp(render(20000))).origin.sessionVersion;
    const v3 = parse(origin.stamp(render(20004))).origin.sessionVersion;
    expect(v2).toBe(v1);
    expect(v3).toBe(v1 + 1);
    expect(parse(origin.stamp(render(20004))).origin.sessionId).toBe(1234567);
  });
});
