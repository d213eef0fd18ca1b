/**
 * SIP ↔ media plane translations: what an SDP offer/answer negotiated (`NegotiatedStream`, RFC 3264)
 * as the media plane's `AudioLegParams` and `VideoLegParams`, the codecs the MCU offers and accepts
 * (opus only with libopus, each video format only when ffmpeg's build encodes it), the DTMF digit of
 * a SIP INFO `application/dtmf-relay` body, and key frame requests both ways (RTCP PLI/FIR in the
 * media plane; SIP INFO `picture_fast_update`, RFC 5168, where the endpoint negotiated no RTCP feedback).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { encoderBitrateBps, videoPayloadFormat, type AudioCodecName, type AudioLegParams, type LegAllocation, type VideoLegParams, type VideoPayloadFormat } from '@mcu/media-mixer';
import { DEFAULT_CODECS, H264_SUPPORT, formatProfileLevelId, parseFmtpParameters, parseH264Parameters, type CodecCapability, type NegotiatedStream } from '@mcu/sip';
import type { ConferenceMedia } from '../conference/conference-media';
import { errorFields } from '../logging/logger';
import type { SipBridge } from './sip-bridge';
import type { LegLogger, SipCallLeg } from './sip-call-leg';

/** SDP encoding names (lower case) → the media plane's codec names. */
const AUDIO_CODECS: Readonly<Record<string, AudioCodecName>> = { pcmu: 'PCMU', pcma: 'PCMA', g722: 'G722', opus: 'opus' };

/**
 * The local capabilities for offers and answers: `DEFAULT_CODECS` without the audio codecs the
 * media plane cannot run (`supports('opus')` false → opus neither offered nor accepted) and, when
 * `supportsVideo` is given, without the video formats it cannot run (no ffmpeg: no video at all, so
 * m=video is answered with port 0; H.264 in modes 1 and 0, VP8, H.263-1998/2000, H.263, H.261 as
 * ffmpeg's build has their encoders).
 */
export function sipCapabilities(supports: (codec: string) => boolean, supportsVideo?: (format: VideoPayloadFormat) => boolean): CodecCapability[] {
  return DEFAULT_CODECS.filter((c) => {
    if (c.kind === 'audio') return c.name === 'telephone-event' || supports(c.name);
    if (supportsVideo === undefined) return true;
    const format = videoPayloadFormat(c.name);
    return format !== undefined && supportsVideo(format);
  });
}

/** Common picture sizes, pixels, and their 16×16 macroblock counts. */
const SIZE_640x360 = { width: 640, height: 360 } as const;
const SIZE_CIF = { width: 352, height: 288 } as const;
const SIZE_QCIF = { width: 176, height: 144 } as const;
const SIZE_SQCIF = { width: 128, height: 96 } as const;
const macroblocks = (s: { width: number; height: number }): number => Math.ceil(s.width / 16) * Math.ceil(s.height / 16);

/**
 * The size of the composite a receiver gets, from its fmtp (what it decodes):
 * - H.264: by level (RFC 6184 §8.1 profile-level-id; H.264 Table A-1 frame sizes at 25 pictures/s):
 *   640×360 from level 3, CIF from level 1.3, QCIF below; `max-fs` (macroblocks) lowers it further.
 * - VP8: 640×360 unless `max-fs` (RFC 7741 §6.1, macroblocks) is smaller: CIF, then QCIF.
 * - H.263 / H.261: the largest of `CIF`, `QCIF`, `SQCIF` listed (RFC 4629 §8.1.1, RFC 4587 §6.1);
 *   none listed leaves the media plane's default (CIF).
 */
export function videoPictureSize(codec: VideoPayloadFormat, fmtp: string | undefined): { width: number; height: number } | undefined {
  const params = parseFmtpParameters(fmtp);
  const maxFs = Number(params.get('max-fs'));
  const fitMaxFs = (size: { width: number; height: number }) => {
    if (!Number.isFinite(maxFs) || maxFs <= 0) return size;
    return [size, SIZE_640x360, SIZE_CIF, SIZE_QCIF, SIZE_SQCIF].find((s) => macroblocks(s) <= macroblocks(size) && macroblocks(s) <= maxFs) ?? SIZE_SQCIF;
  };
  switch (codec) {
    case 'H264': {
      const level = parseH264Parameters(fmtp)?.levelIdc ?? 10;
      return fitMaxFs(level >= 30 ? SIZE_640x360 : level >= 13 ? SIZE_CIF : SIZE_QCIF);
    }
    case 'VP8':
      return fitMaxFs(SIZE_640x360);
    default: {
      if (params.has('cif')) return SIZE_CIF;
      if (params.has('qcif')) return SIZE_QCIF;
      if (params.has('sqcif')) return SIZE_SQCIF;
      return undefined;
    }
  }
}

/** Whether the stream's RTCP feedback includes a key frame request (PLI, RFC 4585; FIR, RFC 5104). */
export function hasKeyframeFeedback(stream: Pick<NegotiatedStream, 'rtcpFeedback'>): boolean {
  return stream.rtcpFeedback.includes('nack pli') || stream.rtcpFeedback.includes('ccm fir');
}

/**
 * The media plane's parameters for a negotiated video stream: format and payload type, the
 * receiver's H.264 fmtp (packetization mode; Constrained Baseline at the lower of its level and 3.1;
 * its sprop-parameter-sets for its own stream's decoder), the encoder bitrate from its `b=TIAS` /
 * `b=AS` (`encoderBitrateBps`; the media plane's default when it announced neither), the picture
 * size (`videoPictureSize`) and the key frame requests it takes: PLI and/or FIR as negotiated, PLI
 * when it listed neither (RTP/AVP endpoints often understand PLI without saying so; the MCU then
 * also asks through SIP INFO).
 * @returns `{ reason }` for a format the pipeline does not run, a malformed H.264 fmtp or
 *   packetization mode 2, or a remote address that is not an IP literal.
 */
export function videoLegParams(stream: NegotiatedStream): { params: VideoLegParams } | { reason: string } {
  const codec = videoPayloadFormat(stream.codec);
  if (codec === undefined) return { reason: `video format ${stream.codec} is not composed` };
  if (isIP(stream.address) === 0) return { reason: `remote address ${stream.address} is not an IP literal` };
  let h264: VideoLegParams['h264'];
  if (codec === 'H264') {
    const parsed = parseH264Parameters(stream.fmtp);
    if (parsed === undefined) return { reason: `malformed H.264 fmtp ${JSON.stringify(stream.fmtp)}` };
    if (parsed.packetizationMode !== 0 && parsed.packetizationMode !== 1) return { reason: `H.264 packetization-mode ${parsed.packetizationMode} is not supported` };
    const levelIdc = Math.min(parsed.levelIdc, H264_SUPPORT.maxLevelIdc);
    h264 = {
      packetizationMode: parsed.packetizationMode,
      profileLevelId: formatProfileLevelId({ profileIdc: 0x42, profileIop: 0xe0, levelIdc }),
      ...(parsed.spropParameterSets === undefined ? {} : { spropParameterSets: parsed.spropParameterSets }),
    };
  }
  const { asKbps, tiasBps } = stream.bandwidth;
  const announced = asKbps !== undefined || tiasBps !== undefined;
  const pli = stream.rtcpFeedback.includes('nack pli');
  const fir = stream.rtcpFeedback.includes('ccm fir');
  const size = videoPictureSize(codec, stream.fmtp);
  return {
    params: {
      remoteAddress: stream.address,
      remotePort: stream.port,
      remoteRtcpPort: stream.rtcpPort,
      rtcpMux: stream.rtcpMux,
      payloadType: stream.payloadType,
      codec,
      clockRate: stream.clockRate,
      direction: stream.direction,
      ...(h264 === undefined ? {} : { h264 }),
      ...(announced ? { maxBitrateBps: encoderBitrateBps({ ...(asKbps === undefined ? {} : { asKbps }), ...(tiasBps === undefined ? {} : { tiasBps }) }) } : {}),
      ...(size === undefined ? {} : size),
      feedback: { pli: pli || !fir, fir },
    },
  };
}

/**
 * The media plane's parameters for a negotiated audio stream.
 * @returns `{ reason }` when the codec is not one the mixer runs or the remote address is not an IP
 *   literal (resolve host names first, see `connectSipMedia`).
 */
export function audioLegParams(stream: NegotiatedStream): { params: AudioLegParams } | { reason: string } {
  const codec = AUDIO_CODECS[stream.codec.toLowerCase()];
  if (codec === undefined) return { reason: `codec ${stream.codec} is not mixed` };
  if (isIP(stream.address) === 0) return { reason: `remote address ${stream.address} is not an IP literal` };
  return {
    params: {
      remoteAddress: stream.address,
      remotePort: stream.port,
      remoteRtcpPort: stream.rtcpPort,
      rtcpMux: stream.rtcpMux,
      payloadType: stream.payloadType,
      codec,
      clockRate: stream.clockRate,
      channels: stream.channels,
      ptimeMs: stream.ptime ?? 20,
      ...(stream.telephoneEventPt === undefined ? {} : { telephoneEventPt: stream.telephoneEventPt }),
      direction: stream.direction,
    },
  };
}

/** RFC 4733 §3.2 event codes 10–15 as the digits they stand for. */
const EVENT_DIGITS = ['*', '#', 'A', 'B', 'C', 'D'];

/**
 * The digit of a SIP INFO `application/dtmf-relay` body (`Signal=5\r\nDuration=160`, the de-facto
 * format of Cisco and most phones), also `Signal=10`…`15` for `*`, `#`, `A`–`D`.
 * @returns undefined for a body without a valid `Signal` line.
 */
export function dtmfRelayDigit(body: string): string | undefined {
  const match = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body);
  if (!match) return undefined;
  const value = match[1].toUpperCase();
  if (/^[0-9*#A-D]$/.test(value)) return value;
  const code = /^1[0-5]$/.test(value) ? Number(value) : undefined;
  return code === undefined ? undefined : EVENT_DIGITS[code - 10];
}

/** Resolves a host name from SDP `c=` to an IP literal. */
export type HostResolver = (host: string) => Promise<string>;

/** The system resolver (`getaddrinfo`, like every other host name the MCU uses). */
export const systemResolver: HostResolver = async (host) => (await lookup(host)).address;

/** What `connectSipMedia` uses of the conference's media side (`ConferenceMedia` fits). */
export type SipMediaPlane = Pick<ConferenceMedia, 'connect' | 'suspend' | 'connectVideo' | 'suspendVideo' | 'requestKeyframe' | 'onVideoKeyframeRequest'>;

/**
 * Feeds every SIP leg's negotiated media to the conference's media side: the first answer starts the
 * audio leg and, on the leg's second port pair, the video leg (at the 200 OK when the INVITE carried
 * the offer, since the caller may send RTP before its ACK; at the ACK otherwise); each
 * re-INVITE/UPDATE updates them (hold and resume through the direction, a new address, codec,
 * packet time or bitrate); an m-line declined later suspends its leg. A host name in `c=` (RFC 4566
 * §5.7 allows one) is resolved first; a result that arrives after a newer offer/answer is dropped.
 *
 * Key frames: a caller's SIP INFO `picture_fast_update` (RFC 5168) asks its encoder for an IDR
 * (`requestKeyframe`); when the room needs a key frame from a caller's camera, the media plane has
 * sent RTCP PLI/FIR, and a caller whose video negotiated neither also gets an in-dialog INFO
 * `picture_fast_update` (at most one per second). Failures are logged; the call stays up.
 * @returns the function that disconnects the listeners.
 */
export function connectSipMedia(bridge: SipBridge, media: SipMediaPlane, logger: LegLogger, resolve: HostResolver = systemResolver): () => void {
  const generations = new Map<string, number>();
  const offMedia = bridge.onMedia((participantId, negotiated, leg) => {
    if (participantId === undefined) return;
    const generation = (generations.get(participantId) ?? 0) + 1;
    generations.set(participantId, generation);
    const callId = leg.call.callId;
    const apply = (audio: NegotiatedStream | undefined, video: NegotiatedStream | undefined): void => {
      if (generations.get(participantId) !== generation) return;
      applyAudio(leg, participantId, audio);
      applyVideo(leg, participantId, video);
    };
    const audio = negotiated.streams.find((s) => s.kind === 'audio');
    const video = negotiated.streams.find((s) => s.kind === 'video');
    if ([audio, video].every((s) => s === undefined || isIP(s.address) !== 0)) {
      apply(audio, video);
      return;
    }
    const resolved = (stream: NegotiatedStream | undefined): Promise<NegotiatedStream | undefined> => {
      if (stream === undefined || isIP(stream.address) !== 0) return Promise.resolve(stream);
      return resolve(stream.address).then(
        (address) => ({ ...stream, address }),
        (err: unknown) => {
          logger.warn({ callId, participantId, host: stream.address, kind: stream.kind, ...errorFields(err) }, 'remote media host not resolved');
          return undefined;
        },
      );
    };
    void Promise.all([resolved(audio), resolved(video)]).then(([a, v]) => apply(a, v));
  });

  /**
   * Starts, updates or suspends one kind of media leg from its negotiated stream: no stream or one the
   * plane cannot take (logged) suspends it; a leg without ports of that kind is left alone.
   */
  const applyKind = <P>(
    kind: 'audio' | 'video',
    leg: SipCallLeg,
    participantId: string,
    stream: NegotiatedStream | undefined,
    ops: { map(s: NegotiatedStream): { params: P } | { reason: string }; connect(allocation: LegAllocation, params: P): void; suspend(): void; refused: string; failed: string },
  ): void => {
    const allocation = leg.ports.get(kind)?.allocation;
    if (allocation === undefined) return;
    try {
      if (stream === undefined) {
        ops.suspend();
        return;
      }
      const mapped = ops.map(stream);
      if ('reason' in mapped) {
        logger.warn({ callId: leg.call.callId, participantId, reason: mapped.reason }, ops.refused);
        ops.suspend();
        return;
      }
      ops.connect(allocation, mapped.params);
    } catch (err) {
      logger.warn({ callId: leg.call.callId, participantId, ...errorFields(err) }, ops.failed);
    }
  };

  const applyAudio = (leg: SipCallLeg, participantId: string, stream: NegotiatedStream | undefined): void =>
    applyKind('audio', leg, participantId, stream, {
      map: audioLegParams,
      connect: (allocation, params) => media.connect(participantId, allocation, params),
      suspend: () => media.suspend(participantId),
      refused: 'audio not mixed',
      failed: 'media leg not started or updated',
    });

  const applyVideo = (leg: SipCallLeg, participantId: string, stream: NegotiatedStream | undefined): void =>
    applyKind('video', leg, participantId, stream, {
      map: videoLegParams,
      connect: (allocation, params) => media.connectVideo(participantId, allocation, params),
      suspend: () => media.suspendVideo(participantId),
      refused: 'video not composed',
      failed: 'video leg not started or updated',
    });

  const offFastUpdate = bridge.onPictureFastUpdate((participantId) => {
    try {
      media.requestKeyframe(participantId);
    } catch (err) {
      logger.warn({ participantId, ...errorFields(err) }, 'key frame request not passed on');
    }
  });

  const offKeyframe = media.onVideoKeyframeRequest((participantId) => {
    const leg = bridge.legOf(participantId);
    const video = leg?.media?.streams.find((s) => s.kind === 'video');
    if (leg === undefined || video === undefined || hasKeyframeFeedback(video)) return;
    if (leg.requestPictureFastUpdate()) logger.debug({ callId: leg.call.callId, participantId }, 'SIP INFO picture_fast_update sent');
  });

  return () => {
    offMedia();
    offFastUpdate();
    offKeyframe();
  };
}
