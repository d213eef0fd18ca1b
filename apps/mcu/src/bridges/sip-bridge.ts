/**
 * The SIP bridge: implements the SIP user agent's delegate and connects calls to the conference.
 * Each INVITE becomes a `SipCallLeg` (the participant's `ParticipantSignalling`); MESSAGE outside a
 * dialog from a caller who is in a room is relayed like an in-dialog one (RFC 3428 §7 allows either).
 */
import { type CodecCapability, type IncomingCall, type IncomingMessage, type NegotiatedMedia, type UserAgentDelegate, formatUri } from '@mcu/sip';
import { errorFields } from '../logging/logger';
import type { MediaPortSource } from './media-port-source';
import { SipCallLeg, type LegConference, type LegLogger } from './sip-call-leg';

/** Options of a `SipBridge`. */
export interface SipBridgeOptions {
  conference: LegConference;
  /** RTP ports (the media plane's legs in the app, `EngineLegSource`). */
  ports: MediaPortSource;
  /** Address advertised in SDP (MCU_PUBLIC_IP). */
  mediaAddress: string;
  /** Codecs offered and accepted (default `DEFAULT_CODECS`; see `sipCapabilities`). */
  capabilities?: readonly CodecCapability[];
  logger: LegLogger;
  /** Monotonic clock, ms, for the legs' INFO rate limit (tests); default `performance.now`. */
  now?: () => number;
}

/** Told when a leg's negotiated media is established or changes (re-INVITE, UPDATE). */
export type SipMediaListener = (participantId: string | undefined, media: NegotiatedMedia, leg: SipCallLeg) => void;

/** Told when a participant asks for a full picture of its composite (SIP INFO picture_fast_update, RFC 5168). */
export type SipFastUpdateListener = (participantId: string, leg: SipCallLeg) => void;

/** `UserAgentDelegate` of the MCU. */
export class SipBridge implements UserAgentDelegate {
  private readonly legs = new Set<SipCallLeg>();
  private readonly mediaListeners = new Set<SipMediaListener>();
  private readonly fastUpdateListeners = new Set<SipFastUpdateListener>();

  constructor(private readonly options: SipBridgeOptions) {}

  /** Live legs (calls not yet terminated). */
  get activeLegs(): number {
    return this.legs.size;
  }

  /** The live leg of a participant, if it is a SIP one. */
  legOf(participantId: string): SipCallLeg | undefined {
    for (const leg of this.legs) if (leg.participantId === participantId) return leg;
    return undefined;
  }

  /** Subscribe to negotiated-media changes (the media plane); returns the unsubscribe function. */
  onMedia(listener: SipMediaListener): () => void {
    this.mediaListeners.add(listener);
    return () => this.mediaListeners.delete(listener);
  }

  /** Subscribe to participants' key frame requests by SIP INFO; returns the unsubscribe function. */
  onPictureFastUpdate(listener: SipFastUpdateListener): () => void {
    this.fastUpdateListeners.add(listener);
    return () => this.fastUpdateListeners.delete(listener);
  }

  /** A new INVITE: route it into a room (see `SipCallLeg`). */
  onInvite(call: IncomingCall): void {
    const leg = new SipCallLeg(call, {
      conference: this.options.conference,
      ports: this.options.ports,
      mediaAddress: this.options.mediaAddress,
      capabilities: this.options.capabilities,
      logger: this.options.logger,
      onMedia: (l, media) => this.emitMedia(l, media),
      onPictureFastUpdate: (l) => this.emitFastUpdate(l),
      ...(this.options.now === undefined ? {} : { now: this.options.now }),
      onEnded: (l) => this.legs.delete(l),
    });
    this.legs.add(leg);
    void leg.start();
  }

  /**
   * MESSAGE outside a dialog: relayed when its From names the Contact or From of a caller in a room
   * (answered 200 by the user agent either way).
   */
  onMessage(message: IncomingMessage): void {
    const from = formatUri({ ...message.from.uri, params: new Map(), headers: new Map() });
    const leg = [...this.legs].find((l) => {
      const callerFrom = formatUri({ ...l.call.from.uri, params: new Map(), headers: new Map() });
      return l.participantId !== undefined && (callerFrom === from || l.remote === from);
    });
    if (!leg?.participantId) {
      this.options.logger.info({ from }, 'SIP MESSAGE from outside any room dropped');
      return;
    }
    const id = leg.participantId;
    this.options.conference.relayMessage(id, message.contentType ?? 'text/plain', message.request.body).catch((err: unknown) => {
      this.options.logger.warn({ ...errorFields(err), participantId: id }, 'SIP MESSAGE not relayed');
    });
  }

  private emitFastUpdate(leg: SipCallLeg): void {
    const participantId = leg.participantId;
    if (participantId === undefined) return;
    for (const listener of this.fastUpdateListeners) {
      try {
        listener(participantId, leg);
      } catch (err) {
        this.options.logger.error({ ...errorFields(err) }, 'SIP fast update listener threw');
      }
    }
  }

  private emitMedia(leg: SipCallLeg, media: NegotiatedMedia): void {
    for (const listener of this.mediaListeners) {
      try {
        listener(leg.participantId, media, leg);
      } catch (err) {
        this.options.logger.error({ ...errorFields(err) }, 'SIP media listener threw');
      }
    }
  }
}
