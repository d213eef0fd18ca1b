/**
 * H.323 video end to end (issue "Everyone sees the room", what must hold 5), with the project's own H.323
 * endpoint (`@mcu/h323`, H.245 video capabilities and OpenLogicalChannels):
 * - two H.323 video callers in one room, one H.263 (RFC 2190, through H.245) with a yellow camera, one H.264
 *   (H.241, single NAL unit mode, proposed in Fast Connect) with a blue one: each gets video both ways in its
 *   own codec and decodes a
 *   composite that shows the other's colour where `computeLayout` puts it, and H.245 videoFastUpdatePicture
 *   from either brings it a key frame within 500 ms;
 * - with SIP: an H.323 caller (H.264, then H.263) with a yellow camera, a SIP camera sending blue and a
 *   SIP viewer receiving H.264. Then:
 * - H.245 negotiates video both ways in the caller's codec, on the caller's second port pair;
 * - the SIP viewer's decoded composite shows the H.323 caller's yellow in its tile (and blue in the SIP
 *   camera's), at the positions `computeLayout` gives (auto layout, join order, no self view);
 * - the H.323 caller receives the composite in its codec at the size its channel names (CIF), decodes it,
 *   and sees the SIP camera's blue in its tile.
 * Last, tshark's dissection of the call signalling (with the tunnelled H.245: video capabilities, video
 * OpenLogicalChannels, videoFastUpdatePicture) has no malformed packet (needs the tests before it).
 * Needs the MCU's video media plane; without it the tests fail at the negotiation step, saying so.
 */
import { performance } from 'node:perf_hooks';
import { H323Endpoint, h245SessionPorts, type H323VideoChannel, type OutgoingCall, type VideoCapabilityDescription } from '@mcu/h323';
import { artifactPath } from './support/artifacts';
import { killAllChildren } from './support/child-registry';
import { H323VideoPeer, type PeerPicture } from './support/h323-video-peer';
import { McuProcess } from './support/mcu-process';
import { freeTcpPort, LOOPBACK } from './support/ports';
import { McuRestClient, type Room } from './support/rest-client';
import { captureUnavailable, malformedPackets, readFields, TsharkCapture } from './support/tshark';
import { TEST_FFMPEG } from './support/video-ffmpeg';
import { savePicture, viewProblems, type CheckedParticipant, type ExpectedView } from './support/video-layout-check';
import type { DecodedPicture } from './support/video-receiver';
import { ColourSender } from './support/video-sender';
import { Viewer } from './support/video-viewer';
import { waitFor } from './support/wait';

jest.setTimeout(120_000);

/** The SIP viewer's composite size (the MCU's default). */
const VIEWER_WIDTH = 640;
const VIEWER_HEIGHT = 360;
/** How long pictures may take to show once everyone is in (decoders start on a key frame). */
const PICTURE_MS = 20_000;
/** The issue's bound from a key frame request (here H.245 videoFastUpdatePicture) to the IDR. */
const VFU_BOUND_MS = 500;

interface Variant {
  readonly name: string;
  readonly codec: 'H264' | 'H263';
  readonly capability: VideoCapabilityDescription;
  readonly roomNumber: string;
}

const VARIANTS: readonly Variant[] = [
  // H.241 level 1.3 (36): the MCU sends CIF, in single NAL unit mode.
  { name: 'H.264', codec: 'H264', capability: { codec: 'h264', maxBitRate: 5000, profile: 64, level: 36 }, roomNumber: '7950' },
  { name: 'H.263', codec: 'H263', capability: { codec: 'h263', maxBitRate: 5000, qcifMPI: 1, cifMPI: 1 }, roomNumber: '7960' },
];

describe('H.323 video legs (own H.323 endpoint, real ffmpeg)', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let h323Port: number;
  const disposables: Array<{ dispose?: () => Promise<void>; close?: () => Promise<void> }> = [];
  const endpoints: H323Endpoint[] = [];
  const calls: OutgoingCall[] = [];
  let capture: TsharkCapture | undefined;

  beforeAll(async () => {
    h323Port = await freeTcpPort();
    // The call signalling, with the H.245 tunnelled in it (video capabilities, video OLCs, videoFastUpdatePicture).
    if (!captureUnavailable()) capture = await TsharkCapture.start(`tcp port ${h323Port}`, artifactPath('h323-video', '.pcapng'));
    mcu = await McuProcess.start({ label: 'h323-video', env: { MCU_H323_PORT: String(h323Port), FFMPEG_PATH: TEST_FFMPEG } });
    rest = new McuRestClient(mcu.baseUrl);
  });

  afterAll(async () => {
    for (const call of calls) call.hangUp('normal');
    await Promise.allSettled(disposables.splice(0).map((d) => (d.dispose ? d.dispose() : d.close?.())));
    await Promise.allSettled(endpoints.map((e) => e.close()));
    await capture?.stop();
    await killAllChildren();
    await mcu?.dispose();
  });

  const rosterHas = (room: Room, count: number) =>
    waitFor(`${count} connected participants in room ${room.number}`, async () => {
      const list = await rest.participants(room.id);
      return list.filter((p) => p.state === 'connected').length === count ? list : undefined;
    }, 100, 100);

  function videoLog(lines = 30): string {
    const picked = mcu.log().split('\n').filter((l) => /video|ffmpeg|h245|H\.323|keyframe/i.test(l) || /"level":(40|50|60)/.test(l));
    return `MCU log, video/H.323 lines and warnings (last ${lines} of ${picked.length}; whole log ${mcu.logFile}):\n${picked.slice(-lines).join('\n')}`;
  }

  /** An H.323 video caller of the test: its endpoint, call, media peer and the video channels it saw. */
  interface H323Caller {
    peer: H323VideoPeer;
    call: OutgoingCall;
    videos: H323VideoChannel[];
  }

  /**
   * Calls `room` from a fresh H.323 endpoint of the project with `capability` video and a `colour` camera (decoded
   * at CIF); with `fastStartVideo` the video is proposed in Fast Connect, else it opens through H.245.
   */
  async function callWithVideo(room: Room, label: string, colour: 'yellow' | 'blue', capability: VideoCapabilityDescription, fastStartVideo = false): Promise<H323Caller> {
    const peer = await H323VideoPeer.open({ label, colour, width: 352, height: 288 });
    disposables.push(peer);
    const endpoint = new H323Endpoint(
      { onSetup: (c) => c.reject('rejected') },
      {
        host: LOOPBACK,
        port: 0,
        codecs: ['g711Ulaw64k'],
        // terminalType 50 (a terminal): the MCU (190) is the master, as with deployed endpoints.
        h245: h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'], h264PacketizationModes: [0] }, videoCapabilities: () => [capability], terminalType: 50 }),
      },
    );
    endpoints.push(endpoint);
    const call = await endpoint.call({ address: LOOPBACK, port: h323Port }, {
      localMedia: peer.localMedia,
      destination: [{ type: 'dialedDigits', value: room.number }],
      displayName: `H323 ${colour} camera`,
      ...(fastStartVideo ? { fastStartVideo: [capability] } : {}),
    });
    calls.push(call);
    const videos: H323VideoChannel[] = [];
    call.on('video', (channel) => {
      videos.push(channel);
      if (channel.direction === 'send') peer.startCamera(channel);
      else peer.startDecoder(channel);
    });
    return { peer, call, videos };
  }

  /** Both video channels of a caller (≈10 s at most), with a message naming what was seen. */
  async function videoBothWays(caller: H323Caller): Promise<{ send: H323VideoChannel; receive: H323VideoChannel }> {
    return waitFor(
      `video channels both ways between ${caller.peer.options.label} and the MCU`,
      async () => {
        const send = caller.videos.find((v) => v.direction === 'send');
        const receive = caller.videos.find((v) => v.direction === 'receive');
        return send && receive ? { send, receive } : undefined;
      },
      100,
      100,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: video channels seen ${JSON.stringify(caller.videos)} (no video OLC from the MCU means its media plane has no video)\n${videoLog()}`);
    });
  }

  /** Problems of the latest picture the H.323 caller decoded for `view`, or [] once a picture passed (≤ PICTURE_MS). */
  async function callerSees(caller: H323Caller, view: ExpectedView, what: string): Promise<string[]> {
    const decoded = await caller.peer.waitForPicture((p: PeerPicture) => viewProblems(p.picture, view).length === 0, PICTURE_MS);
    if (decoded) return [];
    const latest = caller.peer.latestPicture;
    return [
      `${caller.peer.options.label} never decoded a composite showing ${what}: ` +
        (latest ? `latest (saved as ${savePicture(latest.picture, `h323-${caller.peer.options.label}`)}):\n  ${viewProblems(latest.picture, view).join('\n  ')}` : 'nothing decoded') +
        `\n${caller.peer.describe()}`,
    ];
  }

  it('two H.323 video callers (H.263 and H.264) in one room: each decodes the composite with the other’s camera as a tile; videoFastUpdatePicture brings a key frame within 500 ms', async () => {
    const room = await rest.createRoom({ name: 'H.323 video pair', number: '7940' });
    const yellow = await callWithVideo(room, 'h263-yellow', 'yellow', { codec: 'h263', maxBitRate: 5000, qcifMPI: 1, cifMPI: 1 });
    await rosterHas(room, 1);
    // The H.264 caller proposes its video in Fast Connect (Setup), the H.263 one opens it through H.245.
    const blue = await callWithVideo(room, 'h264-blue', 'blue', { codec: 'h264', maxBitRate: 5000, profile: 64, level: 36 }, true);
    const participants = await rosterHas(room, 2);
    expect(participants.map((p) => p.protocol)).toEqual(['h323', 'h323']);
    const y = await videoBothWays(yellow);
    const b = await videoBothWays(blue);
    expect([y.send.codec, y.receive.codec, b.send.codec, b.receive.codec]).toEqual(['H263', 'H263', 'H264', 'H264']);
    expect(y.receive.payloadType).toBe(34);
    // Fast Connect numbers: the caller's transmit proposal 201, the MCU's answer to its receive proposal 2.
    expect([b.send.channelNumber, b.receive.channelNumber]).toEqual([201, 2]);
    expect(blue.videos).toHaveLength(2);
    const members: CheckedParticipant[] = [{ id: 'yellow', colour: 'yellow' }, { id: 'blue', colour: 'blue' }];
    const view = (viewerId: string): ExpectedView => ({ layout: 'auto', width: 352, height: 288, participants: members, viewerId });
    const problems = (await Promise.all([callerSees(yellow, view('yellow'), 'the H.264 caller’s blue'), callerSees(blue, view('blue'), 'the H.263 caller’s yellow')])).flat();
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${videoLog()}`);

    // videoFastUpdatePicture from each caller brings a key frame of its composite within 500 ms (twice each,
    // away from periodic key frames and the encoder's 1 s limit).
    const delays: string[] = [];
    for (const caller of [blue, yellow]) {
      for (let attempt = 0; attempt < 2; attempt++) {
        await waitFor(`1.5 s without a key frame at ${caller.peer.options.label}`, async () => {
          const last = caller.peer.keyframes.at(-1) ?? 0;
          return performance.now() - last >= 1500 ? true : undefined;
        }, 100, 100);
        const sentAt = performance.now();
        expect(caller.call.requestVideoFastUpdate()).toBe(true);
        const at = await caller.peer.keyframeAfter(sentAt, 3000);
        const ms = at === undefined ? Infinity : at - sentAt;
        if (ms > VFU_BOUND_MS) delays.push(`${caller.peer.options.label}: videoFastUpdatePicture → key frame ${at === undefined ? 'none within 3 s' : `${Math.round(ms)} ms`}`);
      }
    }
    if (delays.length > 0) throw new Error(`${delays.join('\n')}\n${yellow.peer.describe()}\n${blue.peer.describe()}\n${videoLog()}`);
    yellow.call.hangUp('normal');
    blue.call.hangUp('normal');
    await waitFor(`room ${room.number} to be empty`, async () => ((await rest.participants(room.id)).length === 0 ? true : undefined), 100, 100);
  });

  it.each(VARIANTS)('$name: the H.323 camera is a tile of the composite, and the H.323 caller decodes the composite', async (variant) => {
    const room = await rest.createRoom({ name: `H.323 video ${variant.name}`, number: variant.roomNumber });
    const members: CheckedParticipant[] = [];

    const viewer = await Viewer.join({ label: `h323-${variant.codec}-viewer`, sipAddress: mcu.sipAddress, roomNumber: room.number, codec: 'H264', width: VIEWER_WIDTH, height: VIEWER_HEIGHT });
    disposables.push(viewer);
    members.push({ id: 'viewer' });
    await rosterHas(room, 1);
    const blue = await ColourSender.start({ label: `h323-${variant.codec}-blue`, sipAddress: mcu.sipAddress, roomNumber: room.number, colour: 'blue' });
    disposables.push(blue);
    members.push({ id: 'blue', colour: 'blue' });
    await rosterHas(room, 2);

    // The H.323 caller: audio G.711 (Fast Connect) and video through H.245, its camera yellow, decoding at CIF.
    const caller = await callWithVideo(room, `${variant.codec}-caller`, 'yellow', variant.capability);
    members.push({ id: 'h323', colour: 'yellow' });
    const participants = await rosterHas(room, 3);
    expect(participants.find((p) => p.protocol === 'h323')?.displayName).toBe('H323 yellow camera');
    const both = await videoBothWays(caller);
    const peer = caller.peer;
    expect(both.send.codec).toBe(variant.codec);
    expect(both.receive.codec).toBe(variant.codec);
    expect(both.receive).toMatchObject({ width: 352, height: 288, localRtpPort: peer.localMedia.videoRtpPort });
    expect(both.send.remoteRtp?.port).toBeGreaterThanOrEqual(mcu.rtpPorts.min);
    expect(both.send.remoteRtp?.port).toBeLessThanOrEqual(mcu.rtpPorts.max);
    if (variant.codec === 'H263') expect(both.receive.payloadType).toBe(34);

    // The SIP viewer sees the H.323 camera's yellow (and the SIP camera's blue) where the layout puts them, and
    // the H.323 caller decodes the composite (CIF) with the SIP camera's blue in its tile; both checked together.
    const viewerView: ExpectedView = { layout: 'auto', width: VIEWER_WIDTH, height: VIEWER_HEIGHT, participants: members, viewerId: 'viewer' };
    const callerView: ExpectedView = { layout: 'auto', width: 352, height: 288, participants: members, viewerId: 'h323' };
    const viewerProblems = async (): Promise<string[]> => {
      const seen = await viewer.receiver.waitForPicture((p: DecodedPicture) => viewProblems(p.picture, viewerView).length === 0, PICTURE_MS);
      if (seen) return [];
      const latest = viewer.receiver.latestPicture;
      return [
        `the SIP viewer never decoded a composite with the H.323 camera's tile: ` +
          (latest ? `latest (saved as ${savePicture(latest.picture, `h323-${variant.codec}-viewer`)}):\n  ${viewProblems(latest.picture, viewerView).join('\n  ')}` : 'nothing decoded') +
          `\n${viewer.receiver.describe()}`,
      ];
    };
    const problems = (await Promise.all([viewerProblems(), callerSees(caller, callerView, 'the SIP camera’s blue')])).flat();
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${peer.describe()}\n${videoLog()}`);
    expect(peer.payloadTypes).toEqual(new Set([both.receive.payloadType]));

    caller.call.hangUp('normal');
    await blue.leave();
    await viewer.leave();
    await peer.close();
    await waitFor(`room ${room.number} to be empty`, async () => ((await rest.participants(room.id)).length === 0 ? true : undefined), 100, 100);
  });

  (captureUnavailable() ? it.skip : it)('tshark dissects the H.245 video exchange (capabilities, OLCs, videoFastUpdatePicture) without malformed packets', async () => {
    await capture!.stop();
    const rows = await readFields(capture!.file, [], ['h245.pdu_type', 'h245.videoData', 'h245.standardOid', 'h245.h263VideoCapability_element', 'h245.videoFastUpdatePicture_element'], 'h245');
    expect(rows.length).toBeGreaterThan(0);
    const any = (column: number, value?: string) => rows.some((r) => (value === undefined ? r[column] !== '' : r[column].includes(value)));
    expect(any(1)).toBe(true);
    expect(any(2, '0.0.8.241.0.0.1')).toBe(true);
    expect(any(3)).toBe(true);
    expect(any(4)).toBe(true);
    expect(await malformedPackets(capture!.file, [])).toEqual([]);
  });
});
