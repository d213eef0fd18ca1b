import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import Redis from 'ioredis';
import { MediaEngine } from '@mcu/media-mixer';
import { getTag, getTo, UserAgentCore } from '@mcu/sip';
import { parse } from 'sdp-transform';
import { ConferenceManager } from '../conference/conference-manager';
import { ConferenceMedia } from '../conference/conference-media';
import { RoomRepository } from '../conference/room-repository';
import { SipTestPeer } from './fixtures/sip-test-peer';
import { EngineLegSource } from './media-port-source';
import { SipBridge } from './sip-bridge';
import { connectSipMedia, sipCapabilities } from './sip-media';
import { silentLogger as silent, until } from '../testing/spec-helpers.fixture';


/** An offer for audio to `port` with `codecs` (`"0 PCMU/8000, 101 telephone-event/8000"`) and a direction line. */
function offer(port: number, codecs: string, direction = 'sendrecv', version = 1, host = '127.0.0.1'): string {
  const pairs = codecs.split(',').map((c) => c.trim().split(' '));
  return [
    'v=0',
    `o=- 1 ${version} IN IP4 127.0.0.1`,
    's=-',
    `c=IN IP4 ${host}`,
    't=0 0',
    `m=audio ${port} RTP/AVP ${pairs.map((p) => p[0]).join(' ')}`,
    ...pairs.map(([pt, map]) => `a=rtpmap:${pt} ${map}`),
    `a=${direction}`,
    '',
  ].join('\r\n');
}

describe('SIP calls drive the media plane (SipBridge + ConferenceMedia + MediaEngine)', () => {
  const prefix = `test:sip-media:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let engine: MediaEngine;
  let media: ConferenceMedia;
  let ua: UserAgentCore;
  let phone: SipTestPeer;
  let rtp: Socket;
  let rtpPort: number;
  let disconnect: () => void;
  let number = 830_000 + Math.floor(Math.random() * 10_000) * 10;
  const room = () => conference.createRoom({ name: `Room ${number}`, number: String(number++) });
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
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    const base = 30_000 + 2 * Math.floor(Math.random() * 10_000);
    // Two port pairs: the third concurrent call finds the range exhausted. No libopus: opus is not offered.
    engine = new MediaEngine({ portMin: base, portMax: base + 3, host: '127.0.0.1', publicAddress: '127.0.0.1' });
    media = new ConferenceMedia(conference, engine, silent);
    const bridge = new SipBridge({
      conference,
      ports: new EngineLegSource(() => media.allocate()),
      mediaAddress: '127.0.0.1',
      capabilities: sipCapabilities((c) => media.supportsCodec(c)),
      logger: silent,
    });
    // DNS is outside the test's control: one known name, everything else unknown.
    const resolve = async (host: string): Promise<string> => {
      if (host === 'phone.example.net') return '127.0.0.1';
      throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    };
    disconnect = connectSipMedia(bridge, media, silent, resolve);
    ua = new UserAgentCore({ host: '127.0.0.1', port: 0, timers: { t1: 100 }, shutdownGraceMs: 100, delegate: bridge });
    await ua.start();
    phone = await SipTestPeer.open(ua.port);
    rtp = createSocket('udp4');
    rtp.on('message', () => undefined);
    await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
    rtpPort = rtp.address().port;
  });

  afterEach(async () => {
    await conference.shutdown();
    await phone.close();
    await ua.stop();
    disconnect();
    media.close();
    await engine.close();
    await new Promise<void>((resolve) => rtp.close(() => resolve()));
  });

  it('starts the leg at the 200 OK with what was negotiated, holds and resumes it on re-INVITE, releases it on BYE', async () => {
    const r = await room();
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: offer(rtpPort, '8 PCMA/8000, 101 telephone-event/8000') });
    const ok = await phone.final(id, 'INVITE');
    expect(ok.status).toBe(200);
    const answered = parse(ok.body.toString()).media[0];
    // Before the ACK: the caller may send RTP as soon as it has the answer.
    const [p] = conference.listParticipants(r.id);
    expect(media.stats(r.id, p.id)).toMatchObject({ codec: 'PCMA', payloadType: 8, direction: 'sendrecv' });
    expect(engine.legsOf(r.id)).toHaveLength(1);
    // What the MCU sends arrives at the offered port, from the port in its answer.
    const from = await new Promise<number>((resolve) => rtp.once('message', (_m, info) => resolve(info.port)));
    expect(from).toBe(answered.port);

    const toTag = getTag(getTo(ok));
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag });
    phone.send({ method: 'INVITE', user: r.number, callId: id, toTag, cseq: 2, body: offer(rtpPort, '8 PCMA/8000', 'sendonly', 2) });
    const held = await phone.final(id, 'INVITE');
    expect(held.status).toBe(200);
    expect(held.body.toString()).toContain('a=recvonly');
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag, cseq: 2 });
    await until(() => media.stats(r.id, p.id).held);
    expect(media.stats(r.id, p.id).direction).toBe('recvonly');

    phone.send({ method: 'INVITE', user: r.number, callId: id, toTag, cseq: 3, body: offer(rtpPort, '0 PCMU/8000', 'sendrecv', 3) });
    expect((await phone.final(id, 'INVITE')).status).toBe(200);
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag, cseq: 3 });
    await until(() => !media.stats(r.id, p.id).held);
    expect(media.stats(r.id, p.id)).toMatchObject({ codec: 'PCMU', payloadType: 0 });

    conference.setMuted(r.id, p.id, true);
    expect(media.stats(r.id, p.id).muted).toBe(true);

    phone.send({ method: 'BYE', user: r.number, callId: id, toTag, cseq: 4 });
    expect((await phone.final(id, 'BYE')).status).toBe(200);
    await until(() => engine.portUsage().inUse === 0);
    expect(engine.roomIds()).toEqual([]);
  });

  it('answers opus-only offers with 488 without libopus and picks the next codec otherwise, leaking no port', async () => {
    const r = await room();
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: offer(rtpPort, '111 opus/48000/2') });
    expect((await phone.final(id, 'INVITE')).status).toBe(488);
    const other = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: other, body: offer(rtpPort, '111 opus/48000/2, 9 G722/8000') });
    const ok = await phone.final(other, 'INVITE');
    expect(ok.status).toBe(200);
    expect(parse(ok.body.toString()).media[0].rtp.map((x) => x.codec)).toEqual(['G722']);
    const [p] = conference.listParticipants(r.id);
    expect(media.stats(r.id, p.id).codec).toBe('G722');
    expect(engine.portUsage().inUse).toBe(1);
  });

  it('answers 503 when the range is used up, and a CANCEL in the lobby gives the ports back', async () => {
    const r = await room();
    for (let i = 0; i < 2; i++) {
      const id = callId();
      phone.send({ method: 'INVITE', user: r.number, callId: id, body: offer(rtpPort, '0 PCMU/8000') });
      expect((await phone.final(id, 'INVITE')).status).toBe(200);
    }
    const third = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: third, body: offer(rtpPort, '0 PCMU/8000') });
    expect((await phone.final(third, 'INVITE')).status).toBe(503);
    expect(engine.portUsage().inUse).toBe(2);

    const lobby = await conference.createRoom({ name: 'Lobby', number: String(number++), lobby: true });
    for (const p of conference.listParticipants(r.id)) await conference.hangup(r.id, p.id);
    await until(() => engine.portUsage().inUse === 0);
    const c = callId();
    const branch = `z9hG4bK${randomUUID().replace(/-/g, '')}`;
    phone.send({ method: 'INVITE', user: lobby.number, callId: c, branch, body: offer(rtpPort, '0 PCMU/8000') });
    await phone.status(c, 180);
    expect(engine.portUsage().inUse).toBe(1);
    phone.send({ method: 'CANCEL', user: lobby.number, callId: c, branch });
    expect((await phone.final(c, 'INVITE')).status).toBe(487);
    await until(() => engine.portUsage().inUse === 0);
  });

  it('resolves a host name in c= before starting the leg, and leaves the leg unstarted when it does not resolve', async () => {
    const r = await room();
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: offer(rtpPort, '0 PCMU/8000', 'sendrecv', 1, 'phone.example.net') });
    expect((await phone.final(id, 'INVITE')).status).toBe(200);
    const [p] = conference.listParticipants(r.id);
    await until(() => media.hasMedia(p.id));
    await new Promise<void>((resolve) => rtp.once('message', () => resolve()));

    const unknown = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: unknown, body: offer(rtpPort, '0 PCMU/8000', 'sendrecv', 1, 'nowhere.invalid') });
    expect((await phone.final(unknown, 'INVITE')).status).toBe(200);
    const q = await until(() => conference.listParticipants(r.id).find((x) => x.id !== p.id));
    await new Promise((r2) => setTimeout(r2, 50));
    expect(media.hasMedia(q.id)).toBe(false);
    expect(engine.legsOf(r.id)).toHaveLength(1);
  });

  it('turns SIP INFO application/dtmf-relay into conference DTMF events', async () => {
    const r = await room();
    const id = callId();
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: offer(rtpPort, '0 PCMU/8000') });
    const ok = await phone.final(id, 'INVITE');
    const toTag = getTag(getTo(ok));
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag });
    const digits: Array<[string, string, string]> = [];
    conference.on('dtmf', (p, digit, source) => digits.push([p.id, digit, source]));
    phone.send({ method: 'INFO', user: r.number, callId: id, toTag, cseq: 2, contentType: 'application/dtmf-relay', body: 'Signal=5\r\nDuration=160\r\n' });
    expect((await phone.final(id, 'INFO')).status).toBe(200);
    phone.send({ method: 'INFO', user: r.number, callId: id, toTag, cseq: 3, contentType: 'application/dtmf-relay', body: 'Signal=11\r\nDuration=160\r\n' });
    expect((await phone.final(id, 'INFO')).status).toBe(200);
    const [p] = conference.listParticipants(r.id);
    expect(digits).toEqual([
      [p.id, '5', 'sip-info'],
      [p.id, '#', 'sip-info'],
    ]);
  });
});
