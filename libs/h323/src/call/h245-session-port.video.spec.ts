import { H245, type H245Types } from '../asn1/generated';
import { decode, encode } from '../per/codec';
import type { VideoCapabilityDescription } from '../h245/video-capabilities';
import { buildVideoOlc } from '../h245/open-logical-channel';
import { toTransportAddress } from '../h245/media-address';
import { h245SessionPorts, type H245SessionPortOptions } from './h245-session-port';
import type { H245Port } from './h245-port';
import type { H323LocalMedia, H323VideoChannel } from './media-channel';

/**
 * Two H.245 session ports (the MCU's and a terminal's) back to back through PER: video capabilities, video
 * OpenLogicalChannels both ways on the video port pair, codec matching, CloseLogicalChannel, videoFastUpdatePicture
 * both ways, and rejects of video we cannot take.
 */
const H264: VideoCapabilityDescription = { codec: 'h264', maxBitRate: 10000, profile: 64, level: 36 };
const H263: VideoCapabilityDescription = { codec: 'h263', maxBitRate: 3840, qcifMPI: 1, cifMPI: 2 };

interface Side {
  port: H245Port;
  sent: H245Types.MultimediaSystemControlMessage[];
  video: H323VideoChannel[];
  videoClosed: Array<[number, string]>;
  fastUpdates: number[];
  audio: string[];
}

function side(localMedia: H323LocalMedia, options: Partial<H245SessionPortOptions>, deliver: (pdu: Buffer) => void): Side {
  const s: Side = { port: undefined as unknown as H245Port, sent: [], video: [], videoClosed: [], fastUpdates: [], audio: [] };
  s.port = h245SessionPorts({ capabilities: { audio: ['g711Ulaw64k'] }, ...options })({
    localMedia,
    fastStartChannels: [],
    label: 'test',
    events: {
      send: (pdu) => {
        s.sent.push(decode(H245.MultimediaSystemControlMessage, pdu));
        deliver(pdu);
      },
      media: (c) => s.audio.push(c.direction),
      mediaClosed: () => undefined,
      userInput: () => undefined,
      video: (c) => s.video.push(c),
      videoClosed: (n, d) => s.videoClosed.push([n, d]),
      videoFastUpdate: (n) => s.fastUpdates.push(n),
      endSession: () => undefined,
      failed: (reason) => {
        throw new Error(reason);
      },
    },
  });
  return s;
}

function pair(mcuVideo: readonly VideoCapabilityDescription[], terminalVideo: readonly VideoCapabilityDescription[], terminalMedia: H323LocalMedia = { address: '10.0.0.2', rtpPort: 30000, videoRtpPort: 30002 }) {
  const queue: Array<() => void> = [];
  const sides: Side[] = [];
  const to = (index: number) => (pdu: Buffer) => queue.push(() => sides[index].port.receive(pdu));
  sides.push(side({ address: '10.0.0.1', rtpPort: 20000, videoRtpPort: 20002 }, { videoCapabilities: () => mcuVideo, terminalType: 190 }, to(1)));
  sides.push(side(terminalMedia, { videoCapabilities: () => terminalVideo, terminalType: 50, h264PayloadType: 109 }, to(0)));
  const pump = () => {
    for (let i = 0; i < 1000 && queue.length > 0; i += 1) (queue.shift() as () => void)();
    expect(queue).toHaveLength(0);
  };
  return { mcu: sides[0], terminal: sides[1], pump };
}

const kinds = (s: Side) => s.sent.map((m) => (m.tag === '$unknown' ? '?' : `${m.tag}.${m.value.tag}`));

describe('H.245 session port: video (H.245 §8.4, H.241)', () => {
  it('opens H.264 both ways on the video ports, with maxBitRate in bits/s, profile-level-id and packetization mode', () => {
    const { mcu, terminal, pump } = pair([H264, H263], [H264, H263]);
    mcu.port.start();
    terminal.port.start();
    pump();
    expect(mcu.audio.sort()).toEqual(['receive', 'send']);
    const send = mcu.video.find((v) => v.direction === 'send');
    const receive = mcu.video.find((v) => v.direction === 'receive');
    expect(send).toMatchObject({ kind: 'video', codec: 'H264', payloadType: 109, clockRate: 90000, maxBitrateBps: 1_000_000, width: 352, height: 288, packetizationMode: 0, profileLevelId: '42e00d', remoteRtp: { address: '10.0.0.2', port: 30002 }, remoteRtcp: { address: '10.0.0.2', port: 30003 }, localRtpPort: 20002 });
    expect(receive).toMatchObject({ codec: 'H264', payloadType: 109, localRtpPort: 20002, remoteRtcp: { address: '10.0.0.2', port: 30003 } });
    expect(terminal.video.find((v) => v.direction === 'send')?.remoteRtp).toEqual({ address: '10.0.0.1', port: 20002 });
  });

  it('sends H.263 (payload type 34, CIF from the MPI fields) to a terminal that has only H.263', () => {
    const { mcu, terminal, pump } = pair([H264, H263], [{ codec: 'h263', maxBitRate: 2560, cifMPI: 1, qcifMPI: 1 }]);
    mcu.port.start();
    terminal.port.start();
    pump();
    const send = mcu.video.find((v) => v.direction === 'send');
    expect(send).toMatchObject({ codec: 'H263', payloadType: 34, maxBitrateBps: 256_000, width: 352, height: 288 });
    expect(mcu.video.find((v) => v.direction === 'receive')).toMatchObject({ codec: 'H263', payloadType: 34 });
  });

  it('reopens its channel in the codec the terminal sends, so both directions use one codec', () => {
    // The terminal prefers H.263 for what it sends; the MCU first picks H.264, then follows.
    const { mcu, terminal, pump } = pair([H264, H263], [H263, H264]);
    mcu.port.start();
    terminal.port.start();
    pump();
    const established = mcu.video.filter((v) => v.direction === 'send');
    expect(mcu.video.find((v) => v.direction === 'receive')?.codec).toBe('H263');
    expect(established.at(-1)?.codec).toBe('H263');
    // Whatever the order of events, the last channel the terminal sees open from the MCU carries that codec.
    const openFromMcu = terminal.video.filter((v) => v.direction === 'receive');
    const closedByMcu = terminal.videoClosed.filter(([, d]) => d === 'receive').map(([n]) => n);
    const live = openFromMcu.filter((v) => !closedByMcu.includes(v.channelNumber));
    expect(live).toHaveLength(1);
    expect(live[0].codec).toBe('H263');
    expect(terminal.video.filter((v) => v.direction === 'send').map((v) => v.codec)).toEqual(['H263']);
    // Here the MCU had opened H.264 before the terminal's H.263 channel arrived: it closed that one.
    expect(kinds(mcu)).toContain('request.closeLogicalChannel');
  });

  it('follows the payload type of the terminal’s H.264 channel', () => {
    // The MCU (master) opens H.264 on 96 at once; the terminal sends H.264 on 109 (its h264PayloadType).
    const { mcu, terminal, pump } = pair([H264], [H264]);
    mcu.port.start();
    terminal.port.start();
    pump();
    expect(mcu.video.find((v) => v.direction === 'receive')?.payloadType).toBe(109);
    expect(mcu.video.filter((v) => v.direction === 'send').at(-1)?.payloadType).toBe(109);
  });

  it('videoFastUpdatePicture both ways: asked on the channel the peer sends, reported with our channel number', () => {
    const { mcu, terminal, pump } = pair([H264], [H264]);
    mcu.port.start();
    terminal.port.start();
    pump();
    const mcuSend = mcu.video.find((v) => v.direction === 'send') as H323VideoChannel;
    const mcuReceive = mcu.video.find((v) => v.direction === 'receive') as H323VideoChannel;
    expect(mcu.port.requestVideoFastUpdate()).toBe(true);
    pump();
    const vfu = mcu.sent.at(-1);
    expect(vfu).toMatchObject({ tag: 'command', value: { tag: 'miscellaneousCommand', value: { logicalChannelNumber: mcuReceive.channelNumber, type: { tag: 'videoFastUpdatePicture' } } } });
    expect(terminal.fastUpdates).toEqual([mcuReceive.channelNumber]);
    expect(terminal.port.requestVideoFastUpdate()).toBe(true);
    pump();
    expect(mcu.fastUpdates).toEqual([mcuSend.channelNumber]);
  });

  it('CloseLogicalChannel of the terminal’s video is reported; afterwards there is nothing to ask a picture from', () => {
    const { mcu, terminal, pump } = pair([H264], [H264]);
    mcu.port.start();
    terminal.port.start();
    pump();
    const terminalSend = terminal.video.find((v) => v.direction === 'send') as H323VideoChannel;
    const clc: H245Types.MultimediaSystemControlMessage = { tag: 'request', value: { tag: 'closeLogicalChannel', value: { forwardLogicalChannelNumber: terminalSend.channelNumber, source: { tag: 'user', value: null } } } };
    mcu.port.receive(encode(H245.MultimediaSystemControlMessage, clc));
    pump();
    expect(mcu.videoClosed.filter(([, d]) => d === 'receive')).toEqual([[terminalSend.channelNumber, 'receive']]);
    expect(kinds(mcu).at(-1)).toBe('response.closeLogicalChannelAck');
    expect(mcu.port.requestVideoFastUpdate()).toBe(false);
  });

  it('announces no video and rejects video OLCs (dataTypeNotSupported) on a call without a video port', () => {
    // The terminal has video capabilities but no video port on this call.
    const { mcu, terminal, pump } = pair([H264], [H264], { address: '10.0.0.2', rtpPort: 30000 });
    mcu.port.start();
    terminal.port.start();
    pump();
    expect(mcu.video).toEqual([]);
    expect(terminal.video).toEqual([]);
    expect(terminal.audio.sort()).toEqual(['receive', 'send']);
    const tcs = terminal.sent.find((m) => m.tag === 'request' && m.value.tag === 'terminalCapabilitySet');
    expect(JSON.stringify(tcs)).not.toContain('VideoCapability');
    expect(JSON.stringify(mcu.sent.find((m) => m.tag === 'request' && m.value.tag === 'terminalCapabilitySet'))).toContain('receiveVideoCapability');
    const olc = buildVideoOlc({ channelNumber: 40, video: H264, rtcp: { address: '10.0.0.1', port: 20003 } });
    terminal.port.receive(encode(H245.MultimediaSystemControlMessage, { tag: 'request', value: { tag: 'openLogicalChannel', value: olc } }));
    pump();
    expect(terminal.sent.at(-1)).toMatchObject({ tag: 'response', value: { tag: 'openLogicalChannelReject', value: { forwardLogicalChannelNumber: 40, cause: { tag: 'dataTypeNotSupported' } } } });
  });

  it.each([
    ['H.261', { tag: 'h261VideoCapability', value: { cifMPI: 1, temporalSpatialTradeOffCapability: false, maxBitRate: 100, stillImageTransmission: false } }, 'dataTypeNotSupported'],
    ['an unknown generic capability', { tag: 'genericVideoCapability', value: { capabilityIdentifier: { tag: 'standard', value: '1.2.3' }, maxBitRate: 100 } }, 'dataTypeNotSupported'],
  ] as const)('rejects %s with %s, logged, and keeps running', (_name, videoData, cause) => {
    const { mcu, terminal, pump } = pair([H264, H263], [H264]);
    mcu.port.start();
    terminal.port.start();
    pump();
    const olc: H245Types.OpenLogicalChannel = {
      forwardLogicalChannelNumber: 41,
      forwardLogicalChannelParameters: {
        dataType: { tag: 'videoData', value: videoData as H245Types.VideoCapability },
        multiplexParameters: { tag: 'h2250LogicalChannelParameters', value: { sessionID: 2, mediaControlChannel: toTransportAddress({ address: '10.0.0.2', port: 30003 }) } },
      },
    };
    mcu.port.receive(encode(H245.MultimediaSystemControlMessage, { tag: 'request', value: { tag: 'openLogicalChannel', value: olc } }));
    pump();
    expect(mcu.sent.at(-1)).toMatchObject({ tag: 'response', value: { tag: 'openLogicalChannelReject', value: { forwardLogicalChannelNumber: 41, cause: { tag: cause } } } });
  });

  it('rejects H.264 with an unknown packetization, and video in the audio session', () => {
    const { mcu, terminal, pump } = pair([H264], [H264]);
    mcu.port.start();
    terminal.port.start();
    pump();
    const olc = buildVideoOlc({ channelNumber: 42, video: H264, rtcp: { address: '10.0.0.2', port: 30003 } });
    const p = (olc.forwardLogicalChannelParameters.multiplexParameters as { value: H245Types.H2250LogicalChannelParameters }).value;
    p.mediaPacketization = { tag: 'rtpPayloadType', value: { payloadDescriptor: { tag: 'oid', value: '0.0.8.241.0.0.0.2' }, payloadType: 96 } };
    mcu.port.receive(encode(H245.MultimediaSystemControlMessage, { tag: 'request', value: { tag: 'openLogicalChannel', value: olc } }));
    pump();
    expect(mcu.sent.at(-1)).toMatchObject({ value: { tag: 'openLogicalChannelReject', value: { forwardLogicalChannelNumber: 42, cause: { tag: 'dataTypeNotSupported' } } } });
    const inAudio = buildVideoOlc({ channelNumber: 43, video: H264, rtcp: { address: '10.0.0.2', port: 30003 } });
    (inAudio.forwardLogicalChannelParameters.multiplexParameters as { value: H245Types.H2250LogicalChannelParameters }).value.sessionID = 1;
    mcu.port.receive(encode(H245.MultimediaSystemControlMessage, { tag: 'request', value: { tag: 'openLogicalChannel', value: inAudio } }));
    pump();
    expect(mcu.sent.at(-1)).toMatchObject({ value: { tag: 'openLogicalChannelReject', value: { forwardLogicalChannelNumber: 43, cause: { tag: 'invalidSessionID' } } } });
  });
});
