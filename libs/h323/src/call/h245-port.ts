import type { FastConnectChannel, FastConnectVideoChannel } from './fast-connect';
import type { H323LocalMedia, H323MediaChannel, H323VideoChannel } from './media-channel';

/**
 * What call signalling needs from the H.245 control channel of one call (H.245 §8 signalling entities), whatever
 * carries it: tunnelled in H.225.0 messages (H.323 §8.2.1) or on its own TCP connection (H.323 §8.2).
 * PDUs cross this boundary as encoded `MultimediaSystemControlMessage`s (aligned PER), exactly as they travel
 * in `h245Control` / `parallelH245Control` or in a TPKT packet on the H.245 connection.
 */
export interface H245Port {
  /** Starts the procedures this side initiates: TerminalCapabilitySet and MasterSlaveDetermination. */
  start(): void;
  /** One PDU from the peer. */
  receive(pdu: Buffer): void;
  /** Sends a UserInputIndication with one DTMF digit ('0'–'9', '*', '#', 'A'–'D') or '!' (hook flash). */
  sendUserInput(digit: string): void;
  /**
   * Sends MiscellaneousCommand videoFastUpdatePicture (H.245 §6.2.16) on the video channel the peer transmits on;
   * false when there is none.
   */
  requestVideoFastUpdate(): boolean;
  /** Sends EndSessionCommand (H.245 §7.9, H.323 §8.5 step 3) if the session had started. */
  endSession(): void;
  /** Stops all timers; nothing is sent afterwards. Safe to call twice. */
  close(): void;
}

/** What the H.245 side reports to the call. Listener exceptions are the call's to catch. */
export interface H245PortEvents {
  /** A PDU to transmit to the peer. */
  send(pdu: Buffer): void;
  /** A logical channel opened (either direction). */
  media(channel: H323MediaChannel): void;
  /** A logical channel closed (CloseLogicalChannel / RequestChannelClose). */
  mediaClosed(channelNumber: number, direction: 'send' | 'receive'): void;
  /** UserInputIndication: one DTMF digit ('0'–'9', '*', '#', 'A'–'D', '!' hook flash) or a string. */
  userInput(input: string): void;
  /** A video logical channel opened (either direction). */
  video(channel: H323VideoChannel): void;
  /** A video logical channel closed. */
  videoClosed(channelNumber: number, direction: 'send' | 'receive'): void;
  /** MiscellaneousCommand videoFastUpdatePicture (or GOB/MB) on `channelNumber`, a channel we transmit on. */
  videoFastUpdate(channelNumber: number): void;
  /** EndSessionCommand received. */
  endSession(): void;
  /** A fatal H.245 failure (e.g. MSD or capability exchange gave up); the call is released. */
  failed(reason: string): void;
}

/** What the factory is given for one call. */
export interface H245PortContext {
  /** Our RTP address for the channels we receive. */
  readonly localMedia: H323LocalMedia;
  /**
   * Channels already opened by Fast Connect (H.323 §8.1.7), with the OLC of the fastStart answer, so H.245 adopts
   * them (later CloseLogicalChannel applies) and opens no other audio channel.
   */
  readonly fastStartChannels: readonly FastConnectChannel[];
  /** Video channels opened by Fast Connect, adopted the same way (H.245 then opens no other video channel). */
  readonly fastStartVideoChannels?: readonly FastConnectVideoChannel[];
  /** Label for log lines (the call reference and peer). */
  readonly label: string;
  readonly events: H245PortEvents;
}

/** Creates the H.245 session of one call. */
export type H245PortFactory = (context: H245PortContext) => H245Port;
