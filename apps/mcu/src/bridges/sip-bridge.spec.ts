import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import Redis from 'ioredis';
import { PortAllocator } from '@mcu/media-mixer';
import { getTag, getTo, UserAgentCore, type NegotiatedMedia } from '@mcu/sip';
import { parse } from 'sdp-transform';
import { ConferenceManager } from '../conference/conference-manager';
import type { Room } from '../conference/room';
import { RoomRepository } from '../conference/room-repository';
import { audioOffer, SipTestPeer } from './fixtures/sip-test-peer';
import { AllocatorPortSource } from './media-port-source';
import { SipBridge } from './sip-bridge';
import { silentLogger as silent, until } from '../testing/spec-helpers.fixture';


/** An even port whose pair is free right now (bound and released by the OS). */
async function freeEvenPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
    await new Promise<void>((resolve) => s.close(() => resolve()));
    if (port % 2 === 0 && port < 65000) return port;
  }
  throw new Error('no even port found');
}

describe('SipBridge: SIP calls into conference rooms', () => {
  const prefix = `test:sip-bridge:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let ua: UserAgentCore;
  let bridge: SipBridge;
  let allocator: PortAllocator;
  let phone: SipTestPeer;
  let rtpBase: number;
  let number = 810_000 + Math.floor(Math.random() * 10_000) * 10;
  const media: NegotiatedMedia[] = [];
  const room = (extra: Partial<Room> = {}) => conference.createRoom({ name: `Room ${number}`, number: String(number++), ...extra });
  const callId = () => `call-${randomUUID()}`;

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  beforeEach(async () => {
    media.length = 0;
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    rtpBase = await freeEvenPort();
    allocator = new PortAllocator({ min: rtpBase, max: rtpBase + 5, host: '127.0.0.1' });
    bridge = new SipBridge({ conference, ports: new AllocatorPortSource(allocator, silent), mediaAddress: '127.0.0.1', logger: silent });
    bridge.onMedia((_id, m) => media.push(m));
    ua = new UserAgentCore({ host: '127.0.0.1', port: 0, timers: { t1: 100 }, shutdownGraceMs: 100, delegate: bridge });
    await ua.start();
    phone = await SipTestPeer.open(ua.port);
  });

  afterEach(async () => {
    await conference.shutdown();
    await phone.close();
    await ua.stop();
  });

  /** INVITE with an offer, expect 200, send ACK; returns the 200 and the To tag. */
  async function call(user: string, id = callId(), extra: { uriParams?: string; offer?: string } = {}) {
    phone.send({ method: 'INVITE', user, callId: id, uriParams: extra.uriParams, body: extra.offer ?? audioOffer('8 PCMA/8000, 0 PCMU/8000') });
    const ok = await phone.final(id, 'INVITE');
    expect(ok.status).toBe(200);
    const toTag = getTag(getTo(ok))!;
    phone.send({ method: 'ACK', user, callId: id, toTag });
    return { ok, toTag, id };
  }

  it('answers a call to a room number with RTP ports from the range, lists the participant, and leaves on BYE', async () => {
    const r = await room();
    const { ok, toTag, id } = await call(r.number);
    const answer = parse(ok.body.toString());
    expect(answer.connection?.ip).toBe('127.0.0.1');
    expect(answer.media[0].port).toBeGreaterThanOrEqual(rtpBase);
    expect(answer.media[0].port).toBeLessThanOrEqual(rtpBase + 4);
    expect(answer.media[0].payloads).toBe(8);
    const [p] = await until(() => {
      const list = conference.listParticipants(r.id);
      return list.length === 1 && list;
    });
    expect(p).toMatchObject({ protocol: 'sip', displayName: 'Test Phone', remote: `sip:phone@127.0.0.1:${phone.port}`, state: 'connected' });
    expect(allocator.inUse()).toBe(1);
    await until(() => media.length === 1);
    expect(media[0].streams[0]).toMatchObject({ codec: 'PCMA', payloadType: 8, port: 40000, localPort: answer.media[0].port });
    phone.send({ method: 'BYE', user: r.number, callId: id, toTag, cseq: 2 });
    expect((await phone.final(id, 'BYE')).status).toBe(200);
    await until(() => conference.listParticipants(r.id).length === 0);
    expect(allocator.inUse()).toBe(0);
    expect(bridge.activeLegs).toBe(0);
  });

  it('maps the conference refusals: 404 unknown, 403 PIN missing or wrong or locked, 486 full', async () => {
    const guarded = await room({ pin: '4321' });
    const locked = await room({ locked: true });
    const small = await room({ maxParticipants: 1 });
    const cases: Array<[string, number]> = [
      ['999999999', 404],
      [guarded.number, 403],
      [`${guarded.number}*1111`, 403],
      [locked.number, 403],
    ];
    for (const [user, status] of cases) {
      const id = callId();
      phone.send({ method: 'INVITE', user, callId: id, body: audioOffer() });
      expect((await phone.final(id, 'INVITE')).status).toBe(status);
    }
    await call(small.number);
    const id = callId();
    phone.send({ method: 'INVITE', user: small.number, callId: id, body: audioOffer() });
    expect((await phone.final(id, 'INVITE')).status).toBe(486);
    expect(allocator.inUse()).toBe(1);
  });

  it('admits with the PIN as <number>*<pin> or as a pin URI parameter', async () => {
    const guarded = await room({ pin: '4321' });
    await call(`${guarded.number}*4321`);
    await call(guarded.number, callId(), { uriParams: ';pin=4321' });
    expect(conference.listParticipants(guarded.id)).toHaveLength(2);
  });

  it('refuses an offer without a common codec with 488 and a malformed one with 400, before joining', async () => {
    const r = await room();
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: audioOffer('18 G729/8000') });
    expect((await phone.final(id, 'INVITE')).status).toBe(488);
    const bad = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: bad, body: 'not sdp at all' });
    expect((await phone.final(bad, 'INVITE')).status).toBe(400);
    expect(conference.listParticipants(r.id)).toHaveLength(0);
    expect(allocator.inUse()).toBe(0);
  });

  it('answers 503 when the RTP port range is used up', async () => {
    const r = await room();
    await call(r.number);
    await call(r.number);
    await call(r.number);
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: audioOffer() });
    const res = await phone.final(id, 'INVITE');
    expect(res.status).toBe(503);
    expect(conference.listParticipants(r.id)).toHaveLength(3);
  });

  it('lobby: rings, waits in state lobby, admit answers 200, reject answers 603, CANCEL answers 487 and leaves', async () => {
    const r = await room({ lobby: true });
    const a = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: a, body: audioOffer() });
    await phone.status(a, 180);
    const waiting = await until(() => conference.listParticipants(r.id)[0]);
    expect(waiting.state).toBe('lobby');
    await conference.admit(r.id, waiting.id);
    expect((await phone.final(a, 'INVITE')).status).toBe(200);

    const b = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: b, body: audioOffer() });
    await phone.status(b, 180);
    const second = await until(() => conference.listParticipants(r.id).find((p) => p.state === 'lobby'));
    await conference.reject(r.id, second.id);
    expect((await phone.final(b, 'INVITE')).status).toBe(603);

    const c = callId();
    const branch = `z9hG4bK${randomUUID().replace(/-/g, '')}`;
    phone.send({ method: 'INVITE', user: r.number, callId: c, branch, body: audioOffer() });
    await phone.status(c, 180);
    await until(() => conference.listParticipants(r.id).find((p) => p.state === 'lobby'));
    phone.send({ method: 'CANCEL', user: r.number, callId: c, branch });
    expect((await phone.final(c, 'CANCEL')).status).toBe(200);
    expect((await phone.final(c, 'INVITE')).status).toBe(487);
    await until(() => conference.listParticipants(r.id).length === 1);
    expect(allocator.inUse()).toBe(1);
  });

  it('hangs up on the operator\'s request with BYE', async () => {
    const r = await room();
    const { id } = await call(r.number);
    const p = await until(() => conference.listParticipants(r.id)[0]);
    await until(() => bridge.legOf(p.id)?.call.state === 'confirmed');
    const hungUp = conference.hangup(r.id, p.id);
    const bye = await phone.incoming(id, 'BYE');
    phone.reply(bye, 200);
    await hungUp;
    expect(conference.listParticipants(r.id)).toHaveLength(0);
    expect(allocator.inUse()).toBe(0);
  });

  it('relays a MESSAGE from one caller as an in-dialog MESSAGE to the other', async () => {
    const r = await room();
    const first = await call(r.number);
    const second = await call(r.number);
    await until(() => conference.listParticipants(r.id).length === 2 && conference.listParticipants(r.id).every((p) => bridge.legOf(p.id)?.call.state === 'confirmed'));
    phone.send({ method: 'MESSAGE', user: r.number, callId: first.id, toTag: first.toTag, cseq: 2, body: 'hello room', contentType: 'text/plain' });
    expect((await phone.final(first.id, 'MESSAGE')).status).toBe(200);
    const relayed = await phone.incoming(second.id, 'MESSAGE');
    expect(relayed.body.toString()).toBe('hello room');
    expect(relayed.header('content-type')).toBe('text/plain');
    phone.reply(relayed, 200);
  });

  it('offers in the 200 to an INVITE without SDP and reads the media from the ACK', async () => {
    const r = await room();
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id });
    const ok = await phone.final(id, 'INVITE');
    const offer = parse(ok.body.toString());
    expect(offer.media.map((m) => m.type)).toEqual(['audio', 'video']);
    expect(allocator.inUse()).toBe(2);
    const answer = [
      'v=0', 'o=- 2 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      'm=audio 40010 RTP/AVP 9', 'a=rtpmap:9 G722/8000', 'm=video 0 RTP/AVP 96', '',
    ].join('\r\n');
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag: getTag(getTo(ok)), body: answer });
    await until(() => media.length === 1);
    expect(media[0].streams.map((s) => [s.kind, s.codec, s.port])).toEqual([['audio', 'G722', 40010]]);
    await until(() => conference.listParticipants(r.id)[0]?.state === 'connected');
  });
});
