/**
 * The conference's media side: joins each participant's signalling (which negotiates RTP) to the
 * media plane (`MediaEngine`, which mixes it). Bridges allocate a leg's ports here before answering,
 * then hand over what was negotiated (`connect`) on every offer/answer; the conference's operator
 * actions (mute) and the media plane's observations (DTMF, active speaker) flow through here to the
 * other side.
 *
 *   bridge ──allocate()──► engine.allocateLeg      (port for the SDP answer / OLC ack; 503 when exhausted)
 *   bridge ──connect()───► engine.startLeg, then updateLeg on re-INVITE / hold
 *   conference 'participant-muted' ─► engine.setMuted          (from the next 20 ms frame)
 *   conference 'participant-left' ──► leg released (RTCP BYE, ports back)
 *   engine 'dtmf' ──────────► conference.reportDtmf(…, 'rtp')
 *   engine 'active-speaker' ► conference.setActiveSpeaker
 */
import type { AudioLegParams, AudioLegStats, LegAllocation, MediaEngine, TonePrompt } from '@mcu/media-mixer';
import { errorFields } from '../logging/logger';
import { MediaNotStartedError, ParticipantNotFoundError } from './conference-errors';
import type { ConferenceLogger, ConferenceManager } from './conference-manager';


/** The media plane as the conference uses it (`MediaEngine` fits). */
export type ConferenceMediaEngine = Pick<
  MediaEngine,
  'allocateLeg' | 'startLeg' | 'updateLeg' | 'setMuted' | 'stats' | 'on' | 'supportsCodec' | 'startPrompt' | 'stopPrompt'
>;

/** One participant's audio leg. */
interface MediaLeg {
  readonly participantId: string;
  readonly roomId: string;
  readonly allocation: LegAllocation;
}

/** Media statistics of one participant, in REST terms (see `ParticipantStatsDto`). */
export interface ParticipantMediaStats {
  participantId: string;
  codec: string;
  payloadType: number;
  ptimeMs: number;
  direction: string;
  muted: boolean;
  held: boolean;
  /** RTP packets and payload octets received from / sent to the participant. */
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Incoming packets lost, cumulative (RFC 3550 §A.3). */
  packetsLost: number;
  /** Incoming loss over the last RTCP interval, 0…1. */
  fractionLost: number;
  /** Interarrival jitter of the incoming stream, ms (RFC 3550 §A.8). */
  jitterMs: number;
  /** Round-trip time from RTCP SR/RR (RFC 3550 §6.4.1), ms; null until measured. */
  roundTripMs: number | null;
  /** The participant's RTCP report on what we send, once received: loss 0…1, cumulative lost, jitter ms. */
  remote: { fractionLost: number; packetsLost: number; jitterMs: number } | null;
}

/** Wires the `ConferenceManager` to the `MediaEngine`. */
export class ConferenceMedia {
  private readonly legs = new Map<string, MediaLeg>();
  private readonly participantOfLeg = new Map<string, string>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly conference: ConferenceManager,
    private readonly engine: ConferenceMediaEngine,
    private readonly logger: ConferenceLogger,
  ) {
    this.unsubscribe.push(
      conference.on('participant-muted', (p) => this.applyMute(p.id, p.muted)),
      conference.on('participant-left', (p) => this.release(p.id)),
      engine.on('dtmf', (e) => {
        const participantId = this.participantOfLeg.get(e.legId);
        if (participantId !== undefined) conference.reportDtmf(participantId, e.digit, 'rtp');
      }),
      engine.on('active-speaker', (e) => {
        conference.setActiveSpeaker(e.roomId, e.legId === null ? null : (this.participantOfLeg.get(e.legId) ?? null));
      }),
    );
  }

  /** Whether a codec can be negotiated (SDP encoding name: `PCMU`, `PCMA`, `G722`, `opus` with libopus). */
  supportsCodec(name: string): boolean {
    return this.engine.supportsCodec(name);
  }

  /**
   * RTP/RTCP ports for a leg about to be negotiated (before the SDP answer or OLC ack).
   * @throws PortRangeExhaustedError (`@mcu/media-mixer`) when MCU_RTP_PORT_MIN..MAX is used up: answer 503.
   */
  allocate(): Promise<LegAllocation> {
    return this.engine.allocateLeg();
  }

  /**
   * What the participant's signalling negotiated for its audio (first answer, re-INVITE, UPDATE):
   * starts the leg in the participant's room on the first call (muted if the participant already
   * is), updates it afterwards (hold/resume via `direction`, new address, codec or packet time).
   * Ignored (logged) for a participant no longer live.
   * @throws InvalidArgumentError / UnsupportedCodecError (`@mcu/media-mixer`) for parameters the media
   *   plane cannot run; the allocation stays held (released when the participant leaves).
   */
  connect(participantId: string, allocation: LegAllocation, params: AudioLegParams): void {
    const participant = this.conference.findParticipant(participantId);
    if (participant === undefined) {
      this.logger.debug({ participantId }, 'negotiated media for a participant no longer in the roster');
      return;
    }
    const existing = this.legs.get(participantId);
    if (existing !== undefined && existing.allocation.legId === allocation.legId) {
      this.engine.updateLeg(allocation.legId, params);
      this.logger.info({ participantId, legId: allocation.legId, direction: params.direction, codec: params.codec }, 'media leg updated');
      return;
    }
    if (existing !== undefined) this.release(participantId);
    this.engine.startLeg(participant.roomId, allocation, params);
    this.legs.set(participantId, { participantId, roomId: participant.roomId, allocation });
    this.participantOfLeg.set(allocation.legId, participantId);
    if (participant.muted) this.applyMute(participantId, true);
  }

  /**
   * A tone for a caller that is connected but not yet in a room (an H.323 caller keying the room PIN):
   * sent on the negotiated `params` until `connect` on the same allocation carries the leg into the
   * room (same ports), `stopPrompt`, or the allocation's release.
   * @throws InvalidArgumentError / UnsupportedCodecError (`@mcu/media-mixer`) for parameters or a tone the
   *   media plane cannot run, or an allocation already started; the allocation stays held.
   */
  prompt(allocation: LegAllocation, params: AudioLegParams, tone: TonePrompt): void {
    this.engine.startPrompt(allocation, params, tone);
    this.logger.info({ legId: allocation.legId, codec: params.codec }, 'prompt tone started');
  }

  /** Ends the tone `prompt` started (RTCP BYE); the ports stay held. No-op without one. */
  stopPrompt(allocation: LegAllocation): void {
    this.engine.stopPrompt(allocation.legId).catch((err: unknown) => this.logger.warn({ legId: allocation.legId, ...errorFields(err) }, 'prompt tone not stopped cleanly'));
  }

  /**
   * The participant's signalling declined audio (m-line with port 0) or negotiated something the
   * mixer cannot run: its leg, if started, goes `inactive` (neither sent to nor mixed).
   */
  suspend(participantId: string): void {
    const leg = this.legs.get(participantId);
    if (leg === undefined) return;
    this.engine.updateLeg(leg.allocation.legId, { direction: 'inactive' });
    this.logger.info({ participantId, legId: leg.allocation.legId }, 'media leg suspended');
  }

  /** Whether the participant's audio leg runs. */
  hasMedia(participantId: string): boolean {
    return this.legs.has(participantId);
  }

  /**
   * RTP/RTCP statistics of a live participant's audio.
   * @throws ParticipantNotFoundError (404) when it is not live in `roomId`; MediaNotStartedError (409)
   *   while it has no media yet (lobby, offer/answer not complete).
   */
  stats(roomId: string, participantId: string): ParticipantMediaStats {
    const leg = this.legs.get(participantId);
    if (this.conference.findParticipant(participantId)?.roomId !== roomId) throw new ParticipantNotFoundError(participantId, roomId);
    if (leg === undefined) throw new MediaNotStartedError(participantId);
    return toParticipantStats(participantId, this.engine.stats(leg.allocation.legId));
  }

  /** Stops every leg's bookkeeping and unsubscribes (the engine itself is closed by its module). */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    for (const id of [...this.legs.keys()]) this.release(id);
  }

  private applyMute(participantId: string, muted: boolean): void {
    const leg = this.legs.get(participantId);
    if (leg === undefined) return;
    try {
      this.engine.setMuted(leg.allocation.legId, muted);
    } catch (err) {
      this.logger.warn({ participantId, muted, ...errorFields(err) }, 'mute not applied to the media leg');
    }
  }

  private release(participantId: string): void {
    const leg = this.legs.get(participantId);
    if (leg === undefined) return;
    this.legs.delete(participantId);
    this.participantOfLeg.delete(leg.allocation.legId);
    leg.allocation.release();
  }
}

function toParticipantStats(participantId: string, s: AudioLegStats): ParticipantMediaStats {
  return {
    participantId,
    codec: s.codec,
    payloadType: s.payloadType,
    ptimeMs: s.ptimeMs,
    direction: s.direction,
    muted: s.muted,
    held: s.held,
    packetsIn: s.packetsIn,
    bytesIn: s.bytesIn,
    packetsOut: s.packetsOut,
    bytesOut: s.bytesOut,
    packetsLost: s.lost,
    fractionLost: s.fractionLost,
    jitterMs: s.jitterMs,
    roundTripMs: s.rttMs ?? null,
    remote: s.remote === undefined ? null : { fractionLost: s.remote.fractionLost, packetsLost: s.remote.cumulativeLost, jitterMs: s.remote.jitterMs },
  };
}
