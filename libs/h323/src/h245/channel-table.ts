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
import type { H245EventEmitter, OpenChannelRequest } from './h245-events';
import { IncomingLcseState, IncomingLogicalChannel, OutgoingLcseState, OutgoingLogicalChannel, type OlcRejectCause } from './logical-channel';
import { AUDIO_SESSION_ID, buildOlcAck, parseOlc, parseOlcAck, type ParsedOlc } from './open-logical-channel';
import { OutgoingChannelCloseRequest } from './request-channel-close';
import type { H245Timers } from './timers';

const MAX_CHANNEL_NUMBER = 65535;
/** Bound on the channels a remote may keep open toward us (hostile peers). */
const MAX_INCOMING_CHANNELS = 64;

/** What we know about a channel besides its LCSE. */
interface ChannelMedia {
  readonly codec: AudioCodecName;
  readonly framesPerPacket: number;
  readonly sessionId: number;
}

/** Why an incoming OpenLogicalChannel cannot be accepted, or its media when it can. */
function checkIncoming(parsed: ParsedOlc, audio: readonly AudioCodecName[]): { cause: OlcRejectCause; reason: string } | ChannelMedia {
  const f = parsed.forward;
  if (f.dataType !== 'audioData') return { cause: 'dataTypeNotSupported', reason: `dataType ${f.dataType}` };
  if (f.codec === undefined || f.framesPerPacket === undefined || !audio.includes(f.codec)) return { cause: 'dataTypeNotSupported', reason: 'audio codec we did not announce' };
  if (!f.h2250) return { cause: 'unspecified', reason: 'multiplexParameters are not H.225.0' };
  if (parsed.reverse) return { cause: 'unsuitableReverseParameters', reason: 'bi-directional audio channel' };
  const sessionId = f.sessionId === 0 || f.sessionId === undefined ? AUDIO_SESSION_ID : f.sessionId;
  if (sessionId !== AUDIO_SESSION_ID) return { cause: 'invalidSessionID', reason: `audio in session ${sessionId}` };
  return { codec: f.codec, framesPerPacket: f.framesPerPacket, sessionId };
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
    const parsed = parseOlc(olc).forward;
    const media: ChannelMedia = { codec: parsed.codec as AudioCodecName, framesPerPacket: parsed.framesPerPacket ?? 20, sessionId: parsed.sessionId ?? AUDIO_SESSION_ID };
    const lcse = new OutgoingLogicalChannel(this.ctx, olc, this.timers.T103, {
      established: (ack) => {
        const remote = parseOlcAck(ack);
        this.events.emit('channel-established', {
          direction: 'transmit',
          channelNumber,
          ...media,
          ...(remote.rtp ? { remoteRtp: remote.rtp } : {}),
          ...(remote.rtcp ? { remoteRtcp: remote.rtcp } : {}),
        });
      },
      released: (reason, cause) => {
        this.transmit.delete(channelNumber);
        this.events.emit('channel-closed', { direction: 'transmit', channelNumber, reason, ...(cause ? { cause } : {}) });
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
    const media: ChannelMedia = { codec: side.codec ?? 'g711Ulaw64k', framesPerPacket: side.framesPerPacket ?? 20, sessionId: side.sessionId ?? AUDIO_SESSION_ID };
    if (direction === 'transmit') {
      const lcse = new OutgoingLogicalChannel(this.ctx, olc, this.timers.T103, {
        established: () => undefined,
        released: (reason, cause) => {
          this.transmit.delete(n);
          this.events.emit('channel-closed', { direction: 'transmit', channelNumber: n, reason, ...(cause ? { cause } : {}) });
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
    entry.lcse.receiveOpen(olc);
    if (wasOpen) this.events.emit('channel-closed', { direction: 'receive', channelNumber: n, reason: 'remote-closed' });
    const parsed = parseOlc(olc);
    const checked = checkIncoming(parsed, this.audio);
    if ('cause' in checked) {
      this.ctx.logger.info({ channel: n, cause: checked.cause }, `H.245 OpenLogicalChannel rejected: ${checked.reason}`);
      entry.lcse.reject(checked.cause);
      this.receive.delete(n);
      return;
    }
    entry.media = checked;
    const lcse = entry.lcse;
    const remoteRtcp = parsed.forward.mediaControlChannel;
    const request: OpenChannelRequest = {
      channelNumber: n,
      ...checked,
      ...(remoteRtcp ? { remoteRtcp } : {}),
      olc: parsed,
      accept: (local) => {
        if (this.disposed || lcse.olc !== olc) return false;
        const ack = buildOlcAck(n, { sessionId: checked.sessionId, rtp: local.rtp, rtcp: local.rtcp });
        if (!lcse.accept(ack)) return false;
        this.events.emit('channel-established', { direction: 'receive', channelNumber: n, ...checked, ...(remoteRtcp ? { remoteRtcp } : {}) });
        return true;
      },
      reject: (cause = 'unspecified') => {
        if (this.disposed || lcse.olc !== olc || !lcse.reject(cause)) return false;
        if (this.receive.get(n)?.lcse === lcse) this.receive.delete(n);
        return true;
      },
    };
    if (this.events.listenerCount('open-channel-request') === 0) {
      this.ctx.logger.warn({ channel: n }, 'H.245 no owner for OpenLogicalChannel: rejected');
      request.reject('unspecified');
      return;
    }
    this.ctx.logger.debug({ channel: n, codec: checked.codec, master: this.isMaster() }, 'H.245 OpenLogicalChannel offered to the owner');
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
    if (was === IncomingLcseState.Established) this.events.emit('channel-closed', { direction: 'receive', channelNumber: n, reason: 'remote-closed' });
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
