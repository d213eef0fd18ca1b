/**
 * Call admission of a registered endpoint (H.323 §8; H.225.0 §7): ARQ for each incoming call (answerCall TRUE),
 * BRQ to change its bandwidth, DRQ when it ends. Keeps the admitted calls for DRQ, BRQ and the IRR.
 */
import type { H225Types } from '../asn1/generated';
import type { AdmittedCall } from './gatekeeper-requests';
import type { RasChannel, RasRequestTiming } from './ras-channel';
import { rasErrorFields, type RasLogger } from './ras-logger';
import * as msg from './ras-messages';
import type { IpTransportAddress } from './transport-address';

/** An incoming call to admit (H.225.0 AdmissionRequest fields; `bandwidth` in 100 bit/s, both directions). */
export type AdmitIncomingCall = msg.RasCall;

/** Outcome of an admission: admitted, or the ARJ reason (`timeout` when no answer came). */
export type AdmissionOutcome = 'admitted' | { rejected: H225Types.AdmissionRejectReason['tag'] | 'timeout' | 'unexpectedAnswer' };

/** What admission needs of the endpoint while it holds a registration. */
export interface AdmissionLink {
  readonly channel: RasChannel;
  readonly gatekeeper: IpTransportAddress;
  readonly registration: msg.RasRegistration;
  /** RCF preGrantedARQ.answerCall: incoming calls need no ARQ. */
  readonly preGrantedAnswer: boolean;
  readonly identity: msg.RasIdentity;
  readonly nextSeq: () => number;
  readonly timing: RasRequestTiming;
}

/** See the file comment. */
export class RasAdmissions {
  /** Calls admitted by ACF, by callIdentifier guid in hex. */
  readonly calls = new Map<string, AdmittedCall>();

  /** @param link the endpoint's registration, or undefined while it holds none */
  constructor(
    private readonly link: () => AdmissionLink | undefined,
    private readonly log: RasLogger,
  ) {}

  /**
   * ARQ with answerCall TRUE (H.323 §8.1.3). Resolves `'admitted'` without asking when the endpoint holds no
   * registration (no gatekeeper is in control then; logged) or the gatekeeper pre-granted answering. Never rejects.
   */
  async admit(call: AdmitIncomingCall): Promise<AdmissionOutcome> {
    const link = this.link();
    if (!link) {
      this.log.info({}, 'call admitted without ARQ: not registered with a gatekeeper');
      return 'admitted';
    }
    if (link.preGrantedAnswer) return 'admitted';
    try {
      const request = msg.admissionRequest(link.nextSeq(), link.identity, link.registration, call);
      const answer = await link.channel.request(request, link.gatekeeper, link.timing);
      if (answer.tag === 'admissionConfirm') {
        this.calls.set(call.callIdentifier.toString('hex'), { ...call, bandwidth: answer.value.bandWidth });
        return 'admitted';
      }
      if (answer.tag === 'admissionReject') return { rejected: answer.value.rejectReason.tag as H225Types.AdmissionRejectReason['tag'] };
      this.log.warn({ tag: answer.tag }, 'unexpected answer to ARQ');
      return { rejected: 'unexpectedAnswer' };
    } catch (err) {
      this.log.warn(rasErrorFields(err), 'ARQ failed');
      return { rejected: 'timeout' };
    }
  }

  /**
   * DRQ for an admitted call that ended (H.323 §8.5); resolves once DCF/DRJ arrived or the retries ran out
   * (logged). Calls not admitted through ARQ resolve at once. Never rejects.
   */
  async disengage(callIdentifier: Buffer, reason: msg.DisengageReasonTag): Promise<void> {
    const key = callIdentifier.toString('hex');
    const call = this.calls.get(key);
    this.calls.delete(key);
    const link = this.link();
    if (!call || !link) return;
    try {
      const request = msg.disengageRequest(link.nextSeq(), link.registration, call, reason);
      const answer = await link.channel.request(request, link.gatekeeper, link.timing);
      if (answer.tag !== 'disengageConfirm') this.log.warn({ tag: answer.tag }, 'DRQ not confirmed');
    } catch (err) {
      this.log.warn(rasErrorFields(err), 'DRQ failed');
    }
  }

  /**
   * BRQ for an admitted call (H.323 §8.3.1); resolves with the granted bandwidth (BCF, or BRJ's
   * allowedBandWidth), or undefined for calls not admitted through ARQ and when no answer came (logged).
   * `bandwidth` in 100 bit/s. Never rejects.
   */
  async requestBandwidth(callIdentifier: Buffer, bandwidth: number): Promise<number | undefined> {
    const key = callIdentifier.toString('hex');
    const call = this.calls.get(key);
    const link = this.link();
    if (!call || !link) return undefined;
    try {
      const request = msg.bandwidthRequest(link.nextSeq(), link.registration, call, bandwidth);
      const answer = await link.channel.request(request, link.gatekeeper, link.timing);
      const granted =
        answer.tag === 'bandwidthConfirm' ? answer.value.bandWidth : answer.tag === 'bandwidthReject' ? answer.value.allowedBandWidth : undefined;
      if (granted !== undefined && this.calls.has(key)) this.calls.set(key, { ...call, bandwidth: granted });
      return granted;
    } catch (err) {
      this.log.warn(rasErrorFields(err), 'BRQ failed');
      return undefined;
    }
  }
}
