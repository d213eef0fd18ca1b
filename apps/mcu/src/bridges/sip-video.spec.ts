import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { PortRangeExhaustedError, type LegAllocation, type VideoLegParams, type VideoPayloadFormat } from '@mcu/media-mixer';
import { getTag, getTo, UserAgentCore } from '@mcu/sip';
import { parse } from 'sdp-transform';
import { ConferenceManager } from '../conference/conference-manager';
import { RoomRepository } from '../conference/room-repository';
import { SipTestPeer } from './fixtures/sip-test-peer';
import { EngineLegSource } from './media-port-source';
import { SipBridge } from './sip-bridge';
import { connectSipMedia, sipCapabilities, type SipMediaPlane } from './sip-media';
import { silentLogger as silent, until } from '../testing/spec-helpers.fixture';


/** `ConferenceMedia` as the SIP side uses it, recording the calls (the media plane has its own tests). */
class RecordingPlane implements SipMediaPlane {
  readonly calls: Array<[string, string, ...unknown[]]> = [];
  readonly allocations: LegAllocation[] = [];
  readonly released: string[] = [];
  private readonly listeners = new Set<(participantId: string) => void>();
  private next = 0;
  /** Port pairs the fake range holds. */
  capacity = 100;

  allocate = async (): Promise<LegAllocation> => {
    if (this.allocations.length - this.released.length >= this.capacity) throw new PortRangeExhaustedError(41_000, 41_001, 'every pair in use');
    const legId = `leg-${++this.next}`;
    const allocation = { legId, localAddress: '127.0.0.1', localPort: 41_000 + 2 * this.next, localRtcpPort: 41_001 + 2 * this.next, release: () => void this.released.push(legId) };
    this.allocations.push(allocation);
    return allocation;
  };
  connect = (participantId: string, allocation: LegAllocation): void => void this.calls.push(['connect', participantId, allocation.legId]);
  suspend = (participantId: string): void => void this.calls.push(['suspend', participantId]);
  connectVideo = (participantId: string, allocation: LegAllocation, params: VideoLegParams): void => void this.calls.push(['connectVideo', participantId, allocation.legId, params]);
  suspendVideo = (participantId: string): void => void this.calls.push(['suspendVideo', participantId]);
  requestKeyframe = (participantId: string): void => void this.calls.push(['requestKeyframe', participantId]);
  onVideoKeyframeRequest = (listener: (participantId: string) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  /** The room wants a key frame from `participantId`'s camera. */
  wantKeyframe(participantId: string): void {
    for (const l of this.listeners) l(participantId);
  }
  of(kind: string): Array<[string, string, ...unknown[]]> {
    return this.calls.filter((c) => c[0] === kind);
  }
}

const PFU = '<?xml version="1.0" encoding="utf-8" ?><media_control><vc_primitive><to_encoder><picture_fast_update/></to_encoder></vc_primitive></media_control>';

/** An offer with PCMU audio and one video format; `videoLines` are the m=video attribute lines. */
function avOffer(video: { port?: number; pt: number; rtpmap?: string; lines?: string[] }, version = 1): string {
  return [
    'v=0',
    `o=- 1 ${version} IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    'm=audio 40000 RTP/AVP 0',
    'a=rtpmap:0 PCMU/8000',
    `m=video ${video.port ?? 40002} RTP/AVP ${video.pt}`,
    ...(video.rtpmap ? [`a=rtpmap:${video.pt} ${video.rtpmap}`] : []),
    ...(video.lines ?? []),
    '',
  ].join('\r\n');
}

const H264_OFFER = {
  pt: 102,
  rtpmap: 'H264/90000',
  lines: ['b=TIAS:512000', 'a=fmtp:102 profile-level-id=42e01f;packetization-mode=1;sprop-parameter-sets=Z0LAH9kA,aM4G4g=='],
};

describe('SIP video: m=video legs, picture_fast_update both ways', () => {
  const prefix = `test:sip-video:${randomUUID()}:`;
  let redis: Redis;
  let conference: ConferenceManager;
  let plane: RecordingPlane;
  let ua: UserAgentCore;
  let phone: SipTestPeer;
  let disconnect: () => void;
  let clock = 0;
  let videoFormats: Set<VideoPayloadFormat>;
  let number = 850_000 + Math.floor(Math.random() * 10_000) * 10;
  const room = () => conference.createRoom({ name: `Room ${number}`, number: String(number++) });

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  /** Warnings the bridge logged in this test. */
  let warnings: string[] = [];

  async function start(formats: VideoPayloadFormat[]): Promise<void> {
    videoFormats = new Set(formats);
    const bridge = new SipBridge({
      conference,
      ports: new EngineLegSource(() => plane.allocate()),
      mediaAddress: '127.0.0.1',
      capabilities: sipCapabilities(() => true, (f) => videoFormats.has(f)),
      logger: { ...silent, warn: (_fields: object, msg: string) => void warnings.push(msg) },
      now: () => clock,
    });
    disconnect = connectSipMedia(bridge, plane, silent);
    ua = new UserAgentCore({ host: '127.0.0.1', port: 0, timers: { t1: 100 }, shutdownGraceMs: 100, delegate: bridge });
    await ua.start();
    phone = await SipTestPeer.open(ua.port);
  }

  beforeEach(() => {
    warnings = [];
    clock = 10_000;
    conference = new ConferenceManager({ repository: new RoomRepository(redis, prefix), logger: silent });
    plane = new RecordingPlane();
  });

  afterEach(async () => {
    await conference.shutdown();
    await phone.close();
    await ua.stop();
    disconnect();
  });

  /** INVITE with `offer`, 200, ACK; returns the answer, the To tag and the participant id. */
  async function call(offer: string) {
    const r = await room();
    const id = `call-${randomUUID()}`;
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: offer });
    const ok = await phone.final(id, 'INVITE');
    expect(ok.status).toBe(200);
    const toTag = getTag(getTo(ok)) ?? '';
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag });
    const [p] = conference.listParticipants(r.id);
    if (p === undefined) throw new Error('no participant');
    return { r, id, toTag, answer: parse(ok.body.toString()), participantId: p.id };
  }

  it('answers H.264 video on a second port pair with PLI/FIR feedback and b=AS, and starts the video leg with the negotiated parameters', async () => {
    await start(['H264', 'VP8']);
    const { answer, participantId } = await call(avOffer(H264_OFFER));
    const video = answer.media[1];
    expect(video).toMatchObject({ type: 'video', payloads: 102, bandwidth: [{ type: 'AS', limit: 1100 }] });
    expect(video.port).toBe(plane.allocations[1]?.localPort);
    expect(video.rtcpFb).toEqual([
      { payload: 102, type: 'nack', subtype: 'pli' },
      { payload: 102, type: 'ccm', subtype: 'fir' },
    ]);
    const [started] = await until(() => plane.of('connectVideo').length === 1 && plane.of('connectVideo'));
    expect(started?.[1]).toBe(participantId);
    expect(started?.[2]).toBe(plane.allocations[1]?.legId);
    expect(started?.[3]).toEqual({
      remoteAddress: '127.0.0.1',
      remotePort: 40002,
      remoteRtcpPort: 40003,
      rtcpMux: false,
      payloadType: 102,
      codec: 'H264',
      clockRate: 90000,
      direction: 'sendrecv',
      h264: { packetizationMode: 1, profileLevelId: '42e01f', spropParameterSets: 'Z0LAH9kA,aM4G4g==' },
      maxBitrateBps: 512000,
      width: 640,
      height: 360,
      feedback: { pli: true, fir: false },
    });
    expect(plane.of('connect')).toHaveLength(1);
  });

  it('without video in the media plane answers m=video with port 0 and holds no video ports', async () => {
    await start([]);
    const { answer } = await call(avOffer(H264_OFFER));
    expect(answer.media[1]?.port).toBe(0);
    expect(answer.media[0]?.port).toBeGreaterThan(0);
    expect(plane.allocations).toHaveLength(1);
    await until(() => plane.of('connect').length === 1);
    expect(plane.of('connectVideo')).toEqual([]);
    expect(warnings).toContainEqual(expect.stringMatching(/offered video but the MCU has no usable ffmpeg/));
  });

  it('answers audio only when the range has a pair for audio but none for video, and 503 when it has none', async () => {
    await start(['H264']);
    plane.capacity = 1;
    const { answer } = await call(avOffer(H264_OFFER));
    expect(answer.media[0]?.port).toBe(plane.allocations[0]?.localPort);
    expect(answer.media[1]?.port).toBe(0);
    const r = await room();
    const id = `call-${randomUUID()}`;
    phone.send({ method: 'INVITE', user: r.number, callId: id, body: avOffer(H264_OFFER) });
    expect((await phone.final(id, 'INVITE')).status).toBe(503);
    expect(plane.allocations).toHaveLength(1);
  });

  it('suspends the video leg when a re-INVITE declines video, and frees both port pairs on BYE', async () => {
    await start(['VP8']);
    const { r, id, toTag, participantId } = await call(avOffer({ pt: 98, rtpmap: 'VP8/90000' }));
    await until(() => plane.of('connectVideo').length === 1);
    phone.send({ method: 'INVITE', user: r.number, callId: id, toTag, cseq: 2, body: avOffer({ port: 0, pt: 98, rtpmap: 'VP8/90000' }, 2) });
    expect((await phone.final(id, 'INVITE')).status).toBe(200);
    phone.send({ method: 'ACK', user: r.number, callId: id, toTag, cseq: 2 });
    await until(() => plane.of('suspendVideo').length === 1);
    expect(plane.of('suspendVideo')[0]).toEqual(['suspendVideo', participantId]);
    phone.send({ method: 'BYE', user: r.number, callId: id, toTag, cseq: 3 });
    expect((await phone.final(id, 'BYE')).status).toBe(200);
    await until(() => plane.released.length === 2);
    expect(plane.released.sort()).toEqual(plane.allocations.map((a) => a.legId).sort());
  });

  it('passes a caller\'s INFO picture_fast_update on as a key frame request; 400 for malformed XML, 415 for unknown types', async () => {
    await start(['H264']);
    const { r, id, toTag, participantId } = await call(avOffer(H264_OFFER));
    phone.send({ method: 'INFO', user: r.number, callId: id, toTag, cseq: 2, contentType: 'application/media_control+xml', body: PFU });
    expect((await phone.final(id, 'INFO')).status).toBe(200);
    await until(() => plane.of('requestKeyframe').length === 1);
    expect(plane.of('requestKeyframe')).toEqual([['requestKeyframe', participantId]]);

    phone.send({ method: 'INFO', user: r.number, callId: id, toTag, cseq: 3, contentType: 'application/media_control+xml', body: '<media_control><vc_primitive>' });
    const bad = await phone.final(id, 'INFO');
    expect(bad.status).toBe(400);
    expect(bad.reason).toContain('media_control');
    phone.send({ method: 'INFO', user: r.number, callId: id, toTag, cseq: 4, contentType: 'application/x-fast-update', body: 'now' });
    expect((await phone.final(id, 'INFO')).status).toBe(415);
    phone.send({ method: 'INFO', user: r.number, callId: id, toTag, cseq: 5, contentType: 'application/media_control+xml', body: '<media_control><general_error>none</general_error></media_control>' });
    expect((await phone.final(id, 'INFO')).status).toBe(200);
    expect(plane.of('requestKeyframe')).toHaveLength(1);
  });

  it('asks a camera without RTCP PLI/FIR for a key frame by INFO, at most once per second, and stops after 415', async () => {
    await start(['H264']);
    const { id, participantId } = await call(avOffer(H264_OFFER));
    plane.wantKeyframe(participantId);
    const info = await phone.incoming(id, 'INFO');
    expect(info.header('content-type')).toBe('application/media_control+xml');
    expect(info.body.toString()).toContain('<picture_fast_update/>');
    phone.reply(info, 200);

    clock += 500;
    plane.wantKeyframe(participantId);
    clock += 600;
    plane.wantKeyframe(participantId);
    const second = await phone.incoming(id, 'INFO');
    expect(second.header('cseq')).not.toBe(info.header('cseq'));
    phone.reply(second, 415);
    await new Promise((r) => setTimeout(r, 50));
    clock += 2000;
    plane.wantKeyframe(participantId);
    clock += 2000;
    plane.wantKeyframe(participantId);
    // Only the two INFOs above: the one 500 ms after the first was rate-limited, those after the 415 not sent.
    await expect(phone.incoming(id, 'INFO')).rejects.toThrow('no matching SIP message');
  });

  it('sends no INFO to a camera that negotiated RTCP PLI (the media plane asks it by RTCP)', async () => {
    await start(['H264']);
    const { id, participantId } = await call(avOffer({ ...H264_OFFER, lines: [...H264_OFFER.lines, 'a=rtcp-fb:102 nack pli'] }));
    await until(() => plane.of('connectVideo').length === 1);
    expect((plane.of('connectVideo')[0]?.[3] as VideoLegParams).feedback).toEqual({ pli: true, fir: false });
    plane.wantKeyframe(participantId);
    plane.wantKeyframe('someone-else');
    await expect(phone.incoming(id, 'INFO')).rejects.toThrow('no matching SIP message');
  });
});
