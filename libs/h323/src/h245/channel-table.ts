/**
 * The logical channels of one H.245 session (H.245 §5.3 LCSE per channel and direction, §5.4 CLCSE per channel we
 * receive on): channel number allocation, checks on incoming OpenLogicalChannel, and the events the owner sees.
 *
 * Channel numbers identify a channel together with its direction: the remote's forward channel 101 and ours 101
 * are different channels (as in the H323Plus captures).
 */
import type { H245Types } from '../asn1/generated';
import type { AudioCodecName } from './capabilities';
import type { EntityContext } from './control-message';
import type { H245EventEmitter, OpenChannelRequest, OpenVideoChannelRequest, VideoChannelMedia } from './h245-events';
import { IncomingLcseState, IncomingLogicalChannel, OutgoingLcseState, OutgoingLogicalChannel, type OlcRejectCause } from './logical-channel';
import { AUDIO_SESSION_ID, buildOlcAck, parseOlc, parseOlcAck, VIDEO_SESSION_ID, videoPayloadTypeOf, type ParsedChannelParameters, type ParsedOlc } from './open-logical-channel';
import type { VideoCodecName } from './video-capabilities';
import type { MediaAddress } from './media-address';
import { OutgoingChannelCloseRequest } from './request-channel-close';
import type { H245Timers } from './timers';

const MAX_CHANNEL_NUMBER = 65535;
/** Bound on the channels a remote may keep open toward us (hostile peers). */
const MAX_INCOMING_CHANNELS = 64;

/** What we know about an audio channel besides its LCSE. */
interface AudioChannelMedia {
  readonly codec: AudioCodecName;
  readonly framesPerPacket: number;
  readonly sessionId: number;
}

/** What we know about a channel besides its LCSE. */
type ChannelMedia = (AudioChannelMedia & { readonly kind: 'audio' }) | (VideoChannelMedia & { readonly kind: 'video' });

/** Rejection of an incoming OpenLogicalChannel. */
type Refusal = { cause: OlcRejectCause; reason: string };

/**
 * The video media of a channel's parameters, or why it is unusable: a codec we announced (H.263, H.264 Baseline),
 * a packetization we know, a payload type (dynamic, or static 34 for RFC 2190 H.263), session 2.
 */
export function checkVideoParameters(p: ParsedChannelParameters, video: readonly VideoCodecName[]): Refusal | VideoChannelMedia {
  if (!p.video || !video.includes(p.video.codec)) return { cause: 'dataTypeNotSupported', reason: 'video codec we did not announce' };
  if (!p.h2250) return { cause: 'unspecified', reason: 'multiplexParameters are not H.225.0' };
  if (!p.videoFormat) return { cause: 'dataTypeNotSupported', reason: `${p.video.codec} packetization we do not know` };
  const payloadType = videoPayloadTypeOf(p);
  if (payloadType === undefined || payloadType < 0 || payloadType > 127) return { cause: 'dataTypeNotSupported', reason: `${p.video.codec} without an RTP payload type` };
  const sessionId = p.sessionId === 0 || p.sessionId === undefined ? VIDEO_SESSION_ID : p.sessionId;
  if (sessionId !== VIDEO_SESSION_ID) return { cause: 'invalidSessionID', reason: `video in session ${sessionId}` };
  return {
    video: p.video,
    format: p.videoFormat,
    payloadType,
    ...(p.h264PacketizationMode === undefined ? {} : { packetizationMode: p.h264PacketizationMode }),
    sessionId,
  };
}

/** Why an incoming OpenLogicalChannel cannot be accepted, or its media when it can. */
function checkIncoming(parsed: ParsedOlc, audio: readonly AudioCodecName[], video: readonly VideoCodecName[]): Refusal | ChannelMedia {
  const f = parsed.forward;
  if (f.dataType === 'videoData') {
    if (parsed.reverse) return { cause: 'unsuitableReverseParameters', reason: 'bi-directional video channel' };
    const checked = checkVideoParameters(f, video);
    return 'cause' in checked ? checked : { kind: 'video', ...checked };
  }
  if (f.dataType !== 'audioData') return { cause: 'dataTypeNotSupported', reason: `dataType ${f.dataType}` };
  if (f.codec === undefined || f.framesPerPacket === undefined || !audio.includes(f.codec)) return { cause: 'dataTypeNotSupported', reason: 'audio codec we did not announce' };
  if (!f.h2250) return { cause: 'unspecified', reason: 'multiplexParameters are not H.225.0' };
  if (parsed.reverse) return { cause: 'unsuitableReverseParameters', reason: 'bi-directional audio channel' };
  const sessionId = f.sessionId === 0 || f.sessionId === undefined ? AUDIO_SESSION_ID : f.sessionId;
  if (sessionId !== AUDIO_SESSION_ID) return { cause: 'invalidSessionID', reason: `audio in session ${sessionId}` };
  return { kind: 'audio', codec: f.codec, framesPerPacket: f.framesPerPacket, sessionId };
}

/** The media of a channel we open or adopt, from its OLC's parameters (audio unless it is understood video). */
function mediaOf(side: ParsedChannelParameters): ChannelMedia {
  if (side.dataType === 'videoData' && side.video && side.videoFormat) {
    const payloadType = videoPayloadTypeOf(side) ?? 96;
    return {
      kind: 'video',
      video: side.video,
      format: side.videoFormat,
      payloadType,
      ...(side.h264PacketizationMode === undefined ? {} : { packetizationMode: side.h264PacketizationMode }),
      sessionId: side.sessionId ?? VIDEO_SESSION_ID,
    };
  }
  return { kind: 'audio', codec: side.codec ?? 'g711Ulaw64k', framesPerPacket: side.framesPerPacket ?? 20, sessionId: side.sessionId ?? AUDIO_SESSION_ID };
}

/** The event fields of a channel's media (without `kind`). */
function fieldsOf<M extends ChannelMedia>(media: M): Omit<M, 'kind'> {
  const { kind: _kind, ...rest } = media;
  return rest;
}

/** Outgoing and incoming logical channels of one session. */
export class ChannelTable {
  private readonly transmit = new Map<number, { lcse: OutgoingLogicalChannel; media: ChannelMedia }>();
  private readonly receive = new Map<number, { lcse: IncomingLogicalChannel; media?: ChannelMedia; close?: OutgoingChannelCloseRequest }>();
  private nextNumber: number;
  private disposed = false;

  constructor(
    private readonly ctx: EntityContext,
    private readonly timers: H245Timers,
    private readonly audio: readonly AudioCodecName[],
    private readonly events: H245EventEmitter,
    firstChannelNumber: number,
    private readonly isMaster: () => boolean | undefined,
    private readonly video: readonly VideoCodecName[] = [],
  ) {
    if (!Number.isInteger(firstChannelNumber) || firstChannelNumber < 1 || firstChannelNumber > MAX_CHANNEL_NUMBER) {
      throw new RangeError(`firstChannelNumber must be 1..${MAX_CHANNEL_NUMBER}, got ${firstChannelNumber}`);
    }
    this.nextNumber = firstChannelNumber;
  }

  /** Opens a channel we transmit on with the OLC `build` makes for the allocated number; returns the number. */
  openTransmit(build: (channelNumber: number) => H245Types.OpenLogicalChannel): number | undefined {
    const channelNumber = this.allocate();
    if (channelNumber === undefined) {
      this.ctx.logger.error({}, 'H.245 no free logical channel number');
      return undefined;
    }
    const olc = build(channelNumber);
    const media = mediaOf(parseOlc(olc).forward);
    const lcse = new OutgoingLogicalChannel(this.ctx, olc, this.timers.T103, {
      established: (ack) => {
        const remote = parseOlcAck(ack);
        const addresses = { ...(remote.rtp ? { remoteRtp: remote.rtp } : {}), ...(remote.rtcp ? { remoteRtcp: remote.rtcp } : {}) };
        if (media.kind === 'video') this.events.emit('video-channel-established', { direction: 'transmit', channelNumber, ...fieldsOf(media), ...addresses });
        else this.events.emit('channel-established', { direction: 'transmit', channelNumber, ...fieldsOf(media), ...addresses });
      },
      released: (reason, cause) => {
        this.transmit.delete(channelNumber);
        this.events.emit('channel-closed', { direction: 'transmit', kind: media.kind, channelNumber, reason, ...(cause ? { cause } : {}) });
      },
    });
    this.transmit.set(channelNumber, { lcse, media });
    lcse.open();
    return channelNumber;
  }

  /** Registers a Fast Connect channel as established (H.323 §8.1.7). */
  adopt(direction: 'transmit' | 'receive', olc: H245Types.OpenLogicalChannel): void {
    const n = olc.forwardLogicalChannelNumber;
    const parsed = parseOlc(olc);
    const side = parsed.forward.dataType === 'nullData' && parsed.reverse ? parsed.reverse : parsed.forward;
    const media = mediaOf(side);
    if (direction === 'transmit') {
      const lcse = new OutgoingLogicalChannel(this.ctx, olc, this.timers.T103, {
        established: () => undefined,
        released: (reason, cause) => {
          this.transmit.delete(n);
          this.events.emit('channel-closed', { direction: 'transmit', kind: media.kind, channelNumber: n, reason, ...(cause ? { cause } : {}) });
        },
      });
      lcse.assumeEstablished();
      this.transmit.set(n, { lcse, media });
      return;
    }
    const lcse = new IncomingLogicalChannel(this.ctx, n);
    lcse.assumeEstablished(olc);
    this.receive.set(n, { lcse, media });
  }

  /** The established channels carrying video, per direction (channel numbers). */
  videoChannels(direction: 'transmit' | 'receive'): number[] {
    const out: number[] = [];
    if (direction === 'transmit') {
      for (const [n, e] of this.transmit) if (e.media.kind === 'video' && e.lcse.state === OutgoingLcseState.Established) out.push(n);
    } else {
      for (const [n, e] of this.receive) if (e.media?.kind === 'video' && e.lcse.state === IncomingLcseState.Established) out.push(n);
    }
    return out;
  }

  /** Whether a channel we transmit on (open or opening) carries video. */
  hasTransmitVideo(): boolean {
    for (const e of this.transmit.values()) if (e.media.kind === 'video') return true;
    return false;
  }

  /** RELEASE.request of a channel we transmit on. */
  closeTransmit(channelNumber: number): boolean {
    const entry = this.transmit.get(channelNumber);
    if (!entry) return false;
    entry.lcse.close();
    return true;
  }

  /** Closes every channel we transmit on (after an empty capability set, H.323 §8.4.6). */
  closeAllTransmit(): void {
    for (const n of [...this.transmit.keys()]) this.closeTransmit(n);
  }

  /** Whether a RequestChannelClose for `channelNumber` can be honoured (a channel we transmit on, not closing). */
  canCloseTransmit(channelNumber: number): boolean {
    const state = this.transmit.get(channelNumber)?.lcse.state;
    return state === OutgoingLcseState.Established || state === OutgoingLcseState.AwaitingEstablishment;
  }

  /** Sends RequestChannelClose for a channel the remote transmits on. */
  requestReceiveClose(channelNumber: number): boolean {
    const entry = this.receive.get(channelNumber);
    if (!entry || entry.lcse.state === IncomingLcseState.Released) return false;
    entry.close ??= new OutgoingChannelCloseRequest(this.ctx, channelNumber, this.timers.T108, {
      finished: (outcome) => {
        if (outcome === 'accepted') return;
        this.events.emit('protocol-error', { procedure: 'request-channel-close', ...(outcome === 'timeout' ? { code: 'T108' } : {}), reason: `RequestChannelClose of channel ${channelNumber}: ${outcome}` });
      },
    });
    entry.close.request();
    return true;
  }

  /** RequestChannelCloseAck/Reject received. */
  receiveRequestCloseResponse(channelNumber: number, outcome: 'accepted' | 'rejected'): void {
    const close = this.receive.get(channelNumber)?.close;
    if (!close) {
      this.ctx.logger.info({ channel: channelNumber, outcome }, 'H.245 RequestChannelClose response for no request: ignored');
      return;
    }
    close.receiveResponse(outcome);
  }

  /** OpenLogicalChannel received: checked, then offered to the owner ('open-channel-request'). */
  receiveOpen(olc: H245Types.OpenLogicalChannel): void {
    const n = olc.forwardLogicalChannelNumber;
    let entry = this.receive.get(n);
    if (!entry) {
      if (this.receive.size >= MAX_INCOMING_CHANNELS) {
        this.ctx.logger.warn({ channel: n }, 'H.245 too many incoming channels: OpenLogicalChannel rejected');
        this.rejectFresh(n, olc, 'insufficientBandwidth');
        return;
      }
      entry = { lcse: new IncomingLogicalChannel(this.ctx, n) };
      this.receive.set(n, entry);
    }
    const wasOpen = entry.lcse.state === IncomingLcseState.Established;
    const previousKind = entry.media?.kind ?? 'audio';
    entry.lcse.receiveOpen(olc);
    if (wasOpen) this.events.emit('channel-closed', { direction: 'receive', kind: previousKind, channelNumber: n, reason: 'remote-closed' });
    const parsed = parseOlc(olc);
    const checked = checkIncoming(parsed, this.audio, this.video);
    if ('cause' in checked) {
      this.ctx.logger.info({ channel: n, cause: checked.cause, dataType: parsed.forward.dataType }, `H.245 OpenLogicalChannel rejected: ${checked.reason}`);
      entry.lcse.reject(checked.cause);
      this.receive.delete(n);
      return;
    }
    entry.media = checked;
    const lcse = entry.lcse;
    const remoteRtcp = parsed.forward.mediaControlChannel;
    const pending = (): boolean => !this.disposed && lcse.olc === olc;
    const accept = (local: { rtp: MediaAddress; rtcp: MediaAddress }, established: () => void): boolean => {
      if (!pending()) return false;
      const ack = buildOlcAck(n, { sessionId: checked.sessionId, rtp: local.rtp, rtcp: local.rtcp });
      if (!lcse.accept(ack)) return false;
      established();
      return true;
    };
    const reject = (cause: OlcRejectCause = 'unspecified'): boolean => {
      if (!pending() || !lcse.reject(cause)) return false;
      if (this.receive.get(n)?.lcse === lcse) this.receive.delete(n);
      return true;
    };
    const addresses = remoteRtcp ? { remoteRtcp } : {};
    if (checked.kind === 'video') {
      const media = fieldsOf(checked);
      const request: OpenVideoChannelRequest = {
        channelNumber: n,
        ...media,
        ...addresses,
        olc: parsed,
        accept: (local) => accept(local, () => this.events.emit('video-channel-established', { direction: 'receive', channelNumber: n, ...media, ...addresses })),
        reject,
      };
      if (this.events.listenerCount('open-video-channel-request') === 0) {
        this.ctx.logger.info({ channel: n }, 'H.245 no owner for video OpenLogicalChannel: rejected');
        request.reject('dataTypeNotSupported');
        return;
      }
      this.ctx.logger.debug({ channel: n, codec: media.video.codec, format: media.format, master: this.isMaster() }, 'H.245 video OpenLogicalChannel offered to the owner');
      this.events.emit('open-video-channel-request', request);
      return;
    }
    const media = fieldsOf(checked);
    const request: OpenChannelRequest = {
      channelNumber: n,
      ...media,
      ...addresses,
      olc: parsed,
      accept: (local) => accept(local, () => this.events.emit('channel-established', { direction: 'receive', channelNumber: n, ...media, ...addresses })),
      reject,
    };
    if (this.events.listenerCount('open-channel-request') === 0) {
      this.ctx.logger.warn({ channel: n }, 'H.245 no owner for OpenLogicalChannel: rejected');
      request.reject('unspecified');
      return;
    }
    this.ctx.logger.debug({ channel: n, codec: media.codec, master: this.isMaster() }, 'H.245 OpenLogicalChannel offered to the owner');
    this.events.emit('open-channel-request', request);
  }

  private rejectFresh(n: number, olc: H245Types.OpenLogicalChannel, cause: OlcRejectCause): void {
    const lcse = new IncomingLogicalChannel(this.ctx, n);
    lcse.receiveOpen(olc);
    lcse.reject(cause);
  }

  /** CloseLogicalChannel received: CloseLogicalChannelAck in every state (§5.3). */
  receiveClose(clc: H245Types.CloseLogicalChannel): void {
    const n = clc.forwardLogicalChannelNumber;
    const entry = this.receive.get(n);
    if (!entry) {
      this.ctx.logger.info({ channel: n }, 'H.245 CloseLogicalChannel for an unknown channel: acknowledged');
      new IncomingLogicalChannel(this.ctx, n).receiveClose();
      return;
    }
    const was = entry.lcse.receiveClose();
    entry.close?.dispose();
    this.receive.delete(n);
    // Only an established channel was ever reported; one still awaiting the owner's answer just disappears
    // (its OpenChannelRequest answers false from now on).
    if (was === IncomingLcseState.Established) this.events.emit('channel-closed', { direction: 'receive', kind: entry.media?.kind ?? 'audio', channelNumber: n, reason: 'remote-closed' });
  }

  /** OpenLogicalChannelAck received. */
  receiveOpenAck(ack: H245Types.OpenLogicalChannelAck): void {
    const entry = this.transmit.get(ack.forwardLogicalChannelNumber);
    if (!entry) {
      this.ctx.logger.info({ channel: ack.forwardLogicalChannelNumber }, 'H.245 OpenLogicalChannelAck for an unknown channel: ignored');
      return;
    }
    entry.lcse.receiveAck(ack);
  }

  /** OpenLogicalChannelReject received. */
  receiveOpenReject(reject: H245Types.OpenLogicalChannelReject): void {
    const entry = this.transmit.get(reject.forwardLogicalChannelNumber);
    if (!entry) {
      this.ctx.logger.info({ channel: reject.forwardLogicalChannelNumber }, 'H.245 OpenLogicalChannelReject for an unknown channel: ignored');
      return;
    }
    entry.lcse.receiveReject(reject);
  }

  /** CloseLogicalChannelAck received. */
  receiveCloseAck(channelNumber: number): void {
    const entry = this.transmit.get(channelNumber);
    if (!entry) {
      this.ctx.logger.info({ channel: channelNumber }, 'H.245 CloseLogicalChannelAck for an unknown channel: ignored');
      return;
    }
    entry.lcse.receiveCloseAck();
  }

  /** Stops every timer; pending open-channel requests can no longer be answered. Safe to call twice. */
  dispose(): void {
    this.disposed = true;
    for (const { lcse } of this.transmit.values()) lcse.dispose();
    for (const { close } of this.receive.values()) close?.dispose();
  }

  private allocate(): number | undefined {
    for (let i = 0; i < MAX_CHANNEL_NUMBER; i += 1) {
      const n = this.nextNumber;
      this.nextNumber = n >= MAX_CHANNEL_NUMBER ? 1 : n + 1;
      if (!this.transmit.has(n)) return n;
    }
    return undefined;
  }
}
