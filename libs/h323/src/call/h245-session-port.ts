import { encode } from '../per/codec';
import { H245 } from '../asn1/generated';
import type { LocalCapabilities } from '../h245/capabilities';
import type { VideoChannelEstablished } from '../h245/h245-events';
import { h263PictureSize, profileLevelIdOf, type VideoCapabilityDescription, type VideoCodecName } from '../h245/video-capabilities';
import type { H245Logger } from '../h245/h245-logger';
import { H245Session } from '../h245/h245-session';
import { isDtmfDigit } from '../h245/user-input';
import type { H245Clock, H245Timers } from '../h245/timers';
import type { H245Port, H245PortContext, H245PortFactory } from './h245-port';
import { rtpCodecOf, type H323VideoChannel } from './media-channel';

/** Settings of the H.245 sessions {@link h245SessionPorts} creates. */
export interface H245SessionPortOptions {
  /** What we announce in TerminalCapabilitySet (audio codecs, packet durations …). */
  readonly capabilities: LocalCapabilities;
  /** terminalType for master-slave determination (default: the session's MCU value, 190). */
  readonly terminalType?: number;
  readonly timers?: Partial<H245Timers>;
  readonly clock?: H245Clock;
  readonly logger?: H245Logger;
  /**
   * The video we receive and send, asked once per call (so it follows what the media plane supports at that
   * moment); announced, accepted and opened only on calls whose local media has a video port. Preference order.
   */
  readonly videoCapabilities?: () => readonly VideoCapabilityDescription[];
  /** Dynamic RTP payload type of the H.264 channels we open (96..127); default 96. */
  readonly h264PayloadType?: number;
}

/**
 * The picture size, pixels, we send at an H.241 level (H.264 Annex A MaxFS): QCIF below level 1.1 (99
 * macroblocks), CIF below level 3 (396), 640×360 from level 3 (1620).
 */
export function h264PictureSize(level: number | undefined): { width: number; height: number } {
  if (level === undefined || level < 22) return { width: 176, height: 144 };
  if (level < 64) return { width: 352, height: 288 };
  return { width: 640, height: 360 };
}

/** The owner's view of an established video channel (maxBitRate in bits/s, picture size in pixels). */
export function videoChannelOf(established: VideoChannelEstablished, localRtpPort: number): H323VideoChannel {
  const v = established.video;
  const size = v.codec === 'h263' ? h263PictureSize(v) : h264PictureSize(v.level);
  return {
    kind: 'video',
    direction: established.direction === 'transmit' ? 'send' : 'receive',
    codec: established.format,
    payloadType: established.payloadType,
    clockRate: 90000,
    maxBitrateBps: v.maxBitRate * 100,
    ...size,
    ...(v.codec === 'h264' ? { packetizationMode: established.packetizationMode ?? 0, profileLevelId: profileLevelIdOf(v.level), ...(v.level === undefined ? {} : { level: v.level }) } : {}),
    ...(established.remoteRtp ? { remoteRtp: established.remoteRtp } : {}),
    ...(established.remoteRtcp ? { remoteRtcp: established.remoteRtcp } : {}),
    localRtpPort,
    channelNumber: established.channelNumber,
  };
}

/**
 * The {@link H245PortFactory} backed by ../h245/h245-session.ts: one {@link H245Session} per call.
 *
 * Behaviour (H.323 §8.2–§8.4 as an MCU plays it): on start, TerminalCapabilitySet and MasterSlaveDetermination;
 * every OpenLogicalChannel for audio the session accepts is acknowledged with our RTP/RTCP; once the remote
 * capabilities are known and master-slave determination is done, we open our transmit audio channel — unless
 * Fast Connect already opened the audio channels, which the session then adopts.
 *
 * Video (calls whose local media has a video port): the video capabilities are announced in their own
 * simultaneous capability sets; a video OpenLogicalChannel is acknowledged with the video RTP/RTCP port pair;
 * we open our transmit video channel with the codec both sides have (in the order of our video capabilities),
 * and, when we are the master (an MCU nearly always is, H.323 §6.2.8.4), if the peer's own video channel turns
 * out to carry another codec the peer can also receive, ours is closed and reopened in that codec, so both
 * directions of the leg use one codec (only the master adapts, so two such sessions never chase each other).
 */
export function h245SessionPorts(options: H245SessionPortOptions): H245PortFactory {
  return (context) => new H245SessionPort(context, options);
}

class H245SessionPort implements H245Port {
  private readonly session: H245Session;
  private readonly h264PayloadType: number | undefined;
  private transmitOpened: boolean;
  private capabilitiesKnown = false;
  private masterSlaveDone = false;
  private readonly videoRtp: { address: string; port: number } | undefined;
  private readonly videoRtcp: { address: string; port: number } | undefined;
  private readonly videoOrder: readonly VideoCodecName[];
  /** Our transmit video channel and its codec, once opened. */
  private transmitVideo: { channelNumber: number; codec: VideoCodecName; payloadType: number } | undefined;
  /** Codec of the peer's video channel, once open. */
  private receivedVideoCodec: VideoCodecName | undefined;
  /** Its payload type, when H.264 (dynamic). */
  private receivedH264PayloadType: number | undefined;

  constructor(
    private readonly context: H245PortContext,
    options: H245SessionPortOptions,
  ) {
    this.h264PayloadType = options.h264PayloadType;
    const { events, localMedia } = context;
    const rtp = { address: localMedia.address, port: localMedia.rtpPort };
    const rtcp = { address: localMedia.address, port: localMedia.rtpPort + 1 };
    const video = localMedia.videoRtpPort === undefined ? [] : (options.videoCapabilities?.() ?? []);
    this.videoOrder = video.map((v) => v.codec);
    if (video.length > 0 && localMedia.videoRtpPort !== undefined) {
      this.videoRtp = { address: localMedia.address, port: localMedia.videoRtpPort };
      this.videoRtcp = { address: localMedia.address, port: localMedia.videoRtpPort + 1 };
    }
    this.session = new H245Session({
      send: (message) => events.send(encode(H245.MultimediaSystemControlMessage, message)),
      capabilities: video.length > 0 ? { ...options.capabilities, video } : options.capabilities,
      ...(options.terminalType === undefined ? {} : { terminalType: options.terminalType }),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      // Channel numbers above those Fast Connect used.
      firstChannelNumber: 2,
    });
    for (const opened of context.fastStartChannels) {
      this.session.adoptFastStartChannel({ direction: opened.channel.direction === 'send' ? 'transmit' : 'receive', olc: opened.olc });
    }
    this.transmitOpened = context.fastStartChannels.some((c) => c.channel.direction === 'send');
    for (const opened of context.fastStartVideoChannels ?? []) {
      const c = opened.channel;
      this.session.adoptFastStartChannel({ direction: c.direction === 'send' ? 'transmit' : 'receive', olc: opened.olc });
      const codec = c.codec === 'H264' ? 'h264' : 'h263';
      if (c.direction === 'send') this.transmitVideo = { channelNumber: c.channelNumber, codec, payloadType: c.payloadType };
      else {
        this.receivedVideoCodec = codec;
        this.receivedH264PayloadType = c.codec === 'H264' ? c.payloadType : undefined;
      }
    }
    this.session
      .on('remote-capabilities', () => {
        this.capabilitiesKnown = true;
        this.openTransmit(rtcp);
        this.openVideo();
      })
      .on('master-slave', () => {
        this.masterSlaveDone = true;
        this.openTransmit(rtcp);
        this.openVideo();
      })
      .on('open-video-channel-request', (request) => {
        if (!this.videoRtp || !this.videoRtcp) {
          request.reject('dataTypeNotSupported');
          return;
        }
        request.accept({ rtp: this.videoRtp, rtcp: this.videoRtcp });
      })
      .on('video-channel-established', (established) => {
        const port = localMedia.videoRtpPort ?? 0;
        if (established.direction === 'receive') {
          this.receivedVideoCodec = established.video.codec;
          this.receivedH264PayloadType = established.format === 'H264' ? established.payloadType : undefined;
          events.video(videoChannelOf(established, port));
          this.matchVideoCodec();
          return;
        }
        // A transmit channel replaced meanwhile (codec matching) is closed by then and not reported.
        if (this.transmitVideo?.channelNumber !== established.channelNumber) return;
        events.video(videoChannelOf(established, port));
      })
      .on('open-channel-request', (request) => {
        request.accept({ rtp, rtcp });
      })
      .on('channel-established', (established) => {
        events.media({
          kind: 'audio',
          direction: established.direction === 'transmit' ? 'send' : 'receive',
          ...rtpCodecOf(established.codec),
          framesPerPacket: established.framesPerPacket,
          ...(established.remoteRtp ? { remoteRtp: established.remoteRtp } : {}),
          ...(established.remoteRtcp ? { remoteRtcp: established.remoteRtcp } : {}),
          localRtpPort: localMedia.rtpPort,
          channelNumber: established.channelNumber,
        });
      })
      .on('channel-closed', (closed) => {
        const direction = closed.direction === 'transmit' ? 'send' : 'receive';
        if (closed.kind !== 'video') {
          events.mediaClosed(closed.channelNumber, direction);
          return;
        }
        if (closed.direction === 'transmit' && this.transmitVideo?.channelNumber === closed.channelNumber) this.transmitVideo = undefined;
        events.videoClosed(closed.channelNumber, direction);
      })
      .on('user-input', (input) => {
        if (input.kind === 'dtmf') events.userInput(input.digit);
        else if (input.kind === 'hookflash') events.userInput('!');
        else events.userInput(input.text);
      })
      .on('video-fast-update', ({ channel }) => events.videoFastUpdate(channel))
      .on('end-session', () => events.endSession());
  }

  start(): void {
    this.session.start();
  }

  receive(pdu: Buffer): void {
    this.session.receiveEncoded(pdu);
  }

  sendUserInput(digit: string): void {
    if (digit === '!' || isDtmfDigit(digit)) this.session.sendUserInput(digit);
  }

  requestVideoFastUpdate(): boolean {
    const [channel] = this.session.receiveVideoChannels;
    if (channel === undefined) return false;
    this.session.sendVideoFastUpdate(channel);
    return true;
  }

  endSession(): void {
    this.session.close(true);
  }

  close(): void {
    this.session.close(false);
  }

  /** Our transmit channel (H.245 §8.4.2) once capabilities and master/slave are settled. */
  private openTransmit(rtcp: { address: string; port: number }): void {
    if (this.transmitOpened || !this.capabilitiesKnown || !this.masterSlaveDone || this.session.isClosed) return;
    this.transmitOpened = this.session.openAudioChannel({ rtcp }) !== undefined;
  }

  /**
   * Our transmit video channel (H.245 §8.4.2), once capabilities and master/slave are settled, when video runs.
   * H.264 goes on the payload type of the peer's H.264 channel when it has one, so the leg uses one payload type.
   */
  private openVideo(preference: readonly VideoCodecName[] = this.videoPreference()): void {
    if (!this.videoRtcp || this.transmitVideo || !this.capabilitiesKnown || !this.masterSlaveDone || this.session.isClosed) return;
    const payloadType = this.receivedH264PayloadType ?? this.h264PayloadType ?? 96;
    const opened = this.session.openVideoChannel({ rtcp: this.videoRtcp, preference, payloadType });
    if (opened) this.transmitVideo = { channelNumber: opened.channelNumber, codec: opened.video.codec, payloadType: opened.video.codec === 'h264' ? payloadType : 34 };
  }

  /** The codec the peer sends first (one codec both ways), then ours in order. */
  private videoPreference(): VideoCodecName[] {
    const first = this.receivedVideoCodec;
    return first ? [first, ...this.videoOrder.filter((c) => c !== first)] : [...this.videoOrder];
  }

  /**
   * The peer sends another codec (or H.264 on another payload type) than ours and can receive it: ours is
   * closed and reopened like the peer's.
   */
  private matchVideoCodec(): void {
    const ours = this.transmitVideo;
    const theirs = this.receivedVideoCodec;
    if (!ours || !theirs || this.session.isMaster !== true) return;
    const samePayloadType = theirs !== 'h264' || this.receivedH264PayloadType === undefined || this.receivedH264PayloadType === ours.payloadType;
    if (ours.codec === theirs && samePayloadType) return;
    const remote = this.session.remoteCapabilities;
    if (!remote?.receiveVideo.some((v) => v.codec === theirs)) return;
    this.session.closeChannel(ours.channelNumber);
    this.transmitVideo = undefined;
    this.openVideo([theirs]);
  }
}
