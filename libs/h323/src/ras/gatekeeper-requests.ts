/**
 * Answers to the requests a gatekeeper sends an endpoint (H.225.0 §7): URQ → UCF (then the endpoint registers
 * again, H.323 §7.2.2.2), IRQ → IRR (H.323 §8.6), BRQ → BCF (H.323 §8.3.2), DRQ → DCF (H.323 §8.5),
 * ServiceControlIndication → ServiceControlResponse; any other message we do not handle → XRS
 * (UnknownMessageResponse). Requests that do not come from our gatekeeper's address are logged and dropped.
 */
import type { H225Types } from '../asn1/generated';
import type { RasChannel, RasIncoming } from './ras-channel';
import type { RasLogger } from './ras-logger';
import * as msg from './ras-messages';
import { fromTransportAddress } from './transport-address';

/** A call admitted by ACF, kept for DRQ, IRR and BRQ (key: callIdentifier guid in hex). */
export type AdmittedCall = Pick<msg.RasCall, 'callIdentifier' | 'conferenceID' | 'callReferenceValue' | 'bandwidth'>;

/** What {@link answerGatekeeperRequest} needs of the endpoint. */
export interface GatekeeperRequestContext {
  readonly channel: RasChannel;
  /** The datagram came from the gatekeeper's RAS IP address. */
  readonly fromGatekeeper: boolean;
  readonly me: msg.RasIdentity;
  readonly registration?: msg.RasRegistration;
  /** Admitted calls; DRQ removes and BRQ updates entries. */
  readonly calls: Map<string, AdmittedCall>;
  readonly log: RasLogger;
}

/** What the endpoint must do next: register again (after a URQ) or end a call (after a DRQ). */
export type GatekeeperRequestOutcome = 'reregister' | { disengaged: Buffer } | undefined;

/** Answers one message that is not a response to our own requests; see the file comment. */
export function answerGatekeeperRequest(incoming: RasIncoming, ctx: GatekeeperRequestContext): GatekeeperRequestOutcome {
  const { message, from } = incoming;
  if (!ctx.fromGatekeeper) {
    ctx.log.warn({ from, tag: message.tag }, 'RAS request from an address other than our gatekeeper dropped');
    return undefined;
  }
  switch (message.tag) {
    case 'unregistrationRequest':
      return unregistration(message.value, incoming, ctx);
    case 'infoRequest':
      infoRequest(message.value, incoming, ctx);
      return undefined;
    case 'bandwidthRequest': {
      const call = findCall(ctx.calls, message.value.callIdentifier?.guid, message.value.conferenceID, message.value.callReferenceValue);
      if (call) {
        ctx.calls.set(call[0], { ...call[1], bandwidth: message.value.bandWidth });
        ctx.channel.send(msg.bandwidthConfirm(message.value.requestSeqNum, message.value.bandWidth), from);
      } else {
        ctx.channel.send({
          tag: 'bandwidthReject',
          value: { requestSeqNum: message.value.requestSeqNum, rejectReason: { tag: 'invalidConferenceID', value: null }, allowedBandWidth: 0 },
        }, from);
      }
      return undefined;
    }
    case 'disengageRequest': {
      ctx.channel.send(msg.disengageConfirm(message.value.requestSeqNum), from);
      const call = findCall(ctx.calls, message.value.callIdentifier?.guid, message.value.conferenceID, message.value.callReferenceValue);
      if (!call) return undefined;
      ctx.calls.delete(call[0]);
      ctx.log.info({ reason: message.value.disengageReason.tag }, 'gatekeeper disengaged a call (DRQ)');
      return { disengaged: call[1].callIdentifier };
    }
    case 'serviceControlIndication':
      ctx.channel.send({ tag: 'serviceControlResponse', value: { requestSeqNum: message.value.requestSeqNum } }, from);
      return undefined;
    case '$unknown':
      ctx.log.warn({ from, index: message.index }, 'unknown RAS message alternative dropped');
      return undefined;
    default: {
      const seq = message.tag === 'admissionConfirmSequence' ? undefined : message.value.requestSeqNum;
      ctx.log.info({ from, tag: message.tag }, 'RAS message not handled by an endpoint: XRS');
      if (seq !== undefined) ctx.channel.send(msg.unknownMessageResponse(seq, incoming.bytes), from);
      return undefined;
    }
  }
}

function unregistration(urq: H225Types.UnregistrationRequest, { from }: RasIncoming, ctx: GatekeeperRequestContext): GatekeeperRequestOutcome {
  const ours = ctx.registration && (urq.endpointIdentifier === undefined || urq.endpointIdentifier === ctx.registration.endpointIdentifier);
  if (!ours) {
    ctx.channel.send({
      tag: 'unregistrationReject',
      value: { requestSeqNum: urq.requestSeqNum, rejectReason: { tag: 'notCurrentlyRegistered', value: null } },
    }, from);
    return undefined;
  }
  ctx.channel.send(msg.unregistrationConfirm(urq.requestSeqNum), from);
  ctx.log.info({ reason: urq.reason?.tag }, 'gatekeeper unregistered us (URQ): registering again');
  return 'reregister';
}

function infoRequest(irq: H225Types.InfoRequest, { from }: RasIncoming, ctx: GatekeeperRequestContext): void {
  if (!ctx.registration) {
    ctx.log.info({ from }, 'IRQ while not registered ignored');
    return;
  }
  const replyTo = (irq.replyAddress && fromTransportAddress(irq.replyAddress)) || from;
  const all = irq.callReferenceValue === 0 && irq.callIdentifier === undefined;
  const one = all ? undefined : findCall(ctx.calls, irq.callIdentifier?.guid, undefined, irq.callReferenceValue);
  const calls = all ? [...ctx.calls.values()] : one ? [one[1]] : [];
  const status = all || calls.length > 0 ? 'complete' : 'invalidCall';
  ctx.channel.send(msg.infoRequestResponse(irq.requestSeqNum, ctx.me, ctx.registration, calls, status), replyTo);
}

function findCall(
  calls: Map<string, AdmittedCall>,
  guid: Buffer | undefined,
  conferenceID: Buffer | undefined,
  callReferenceValue: number,
): [string, AdmittedCall] | undefined {
  if (guid) {
    const call = calls.get(guid.toString('hex'));
    return call ? [guid.toString('hex'), call] : undefined;
  }
  for (const entry of calls) {
    if (entry[1].callReferenceValue === callReferenceValue && (!conferenceID || entry[1].conferenceID.equals(conferenceID))) return entry;
  }
  return undefined;
}
