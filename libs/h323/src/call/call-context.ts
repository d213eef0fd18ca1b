import type { AudioCodecName } from '../h245/capabilities';
import type { CallLogger } from './call-logger';
import type { CallClock, CallTimers } from './call-timers';
import type { EndpointIdentity } from './endpoint-identity';
import type { H245PortFactory } from './h245-port';
import type { H323TransportAddress } from './media-channel';

/** The signalling connection a call runs on, as the call sees it (one TCP connection, H.225.0 §7). */
export interface CallConnection {
  /** The TCP peer. */
  readonly remote: H323TransportAddress;
  /** Our IPv4 address on this connection (used for h245Address and sourceCallSignalAddress). */
  readonly localAddress: H323TransportAddress;
  /** Writes one Q.931 message (framed in TPKT by the connection). Ignored once the connection is closed. */
  send(q931: Buffer): void;
  /** Called once when the call is released, so the connection can forget it (and close when idle). */
  detach(callReference: number): void;
}

/** Settings shared by all calls of an endpoint. */
export interface CallSettings {
  readonly identity: EndpointIdentity;
  /** Audio codecs, preference order (H.245 names). */
  readonly codecs: readonly AudioCodecName[];
  readonly timers: CallTimers;
  readonly clock: CallClock;
  readonly logger: CallLogger;
  /** Creates each call's H.245 session; without it calls run Fast Connect only and never open H.245. */
  readonly h245?: H245PortFactory;
  /** Accept H.245 tunnelling when the caller offers it (default true). */
  readonly acceptTunnelling: boolean;
  /** Our display name in Display IEs. */
  readonly displayName?: string;
}
