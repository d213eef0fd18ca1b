/**
 * One H.245 session (H.245 clause 5 and Annex C; H.323 §8.2 and H.323 §6.2.8): the signalling entities of a call's H.245 control channel,
 * transport-agnostic. The owner feeds it every received MultimediaSystemControlMessage (from h245Control tunnelled
 * in H.225.0 messages, or a separate H.245 TCP connection) through `receive()`/`receiveEncoded()`, and transmits
 * what it emits through `send`. Nothing here touches sockets.
 *
 * Entities: MSDSE (master-slave.ts), outgoing and incoming CESE (capability-exchange.ts), one LCSE per logical
 * channel and direction (logical-channel.ts), CLCSE (request-channel-close.ts), RTDSE (round-trip-delay.ts); user
 * input, videoFastUpdatePicture and EndSessionCommand are handled here; everything else gets the reject of
 * unsupported.ts. Bad or unexpected input is answered and logged, never thrown.
 *
 * Messages an entity sends while the session processes an input are queued and handed to `send` once the input
 * is processed, so an owner whose `send` delivers synchronously (tests, tunnelling) never re-enters a half-done
 * transition.
 */
import { H245, type H245Types } from '../asn1/generated';
import { decodePrefix } from '../per/codec';
import { PerDecodeError } from '../per/per-error';
import { buildTerminalCapabilitySet, type AudioCodecName, type LocalCapabilities } from './capabilities';
import { IncomingCapabilityExchange, OutgoingCapabilityExchange } from './capability-exchange';
import { command, type EntityContext } from './control-message';
import { H245EventEmitter, type H245SessionEvents } from './h245-events';
import { errorFields, silentH245Logger, type H245Logger } from './h245-logger';
import { IncomingLogicalChannel, IncomingLcseState, OutgoingLcseState, OutgoingLogicalChannel } from './logical-channel';
import { MasterSlaveDetermination } from './master-slave';
import type { MediaAddress } from './media-address';
import { buildAudioOlc, buildVideoOlc } from './open-logical-channel';
import { chooseTransmitVideo, type VideoCapabilityDescription, type VideoCodecName } from './video-capabilities';
import { RemoteCapabilityTable, chooseTransmitCodec, type RemoteCapabilities } from './remote-capabilities';
import { IncomingChannelCloseRequest, OutgoingChannelCloseRequest } from './request-channel-close';
import { RoundTripDelay } from './round-trip-delay';
import { h245Timers, systemH245Clock, type H245Clock, type H245Timers } from './timers';
import { buildUserInput, parseUserInput, type DtmfDigit } from './user-input';
import { ChannelTable } from './channel-table';
import { answerUnsupportedCommand, answerUnsupportedRequest, functionNotSupported, functionNotUnderstood } from './unsupported';

/** "request.openLogicalChannel" and the like, for log lines. */
export function kindOf(message: H245Types.MultimediaSystemControlMessage): string {
  if (message.tag === '$unknown') return `$unknown(${message.index})`;
  return `${message.tag}.${message.value.tag}`;
}

/** terminalType of an MCU with audio and video MPs (H.323 §6.2.8.4, Table 1). */
export const MCU_TERMINAL_TYPE = 190;

/** Construction options of {@link H245Session}. */
export interface H245SessionOptions {
  /** Transmits one PDU to the remote (its exceptions are logged). */
  readonly send: (message: H245Types.MultimediaSystemControlMessage) => void;
  /** What we announce in TerminalCapabilitySet. */
  readonly capabilities: LocalCapabilities;
  /** terminalType for master-slave determination, 0..255; default {@link MCU_TERMINAL_TYPE}. */
  readonly terminalType?: number;
  /** Timer overrides (ms) and N100. */
  readonly timers?: Partial<H245Timers>;
  readonly clock?: H245Clock;
  /** Random statusDeterminationNumber source, 0..2^24−1; default Math.random. */
  readonly random?: () => number;
  readonly logger?: H245Logger;
  /** First forwardLogicalChannelNumber of the channels we open (1..65535); default 1. */
  readonly firstChannelNumber?: number;
}

/** One H.245 session. See the file comment. */
export class H245Session {
  private readonly events: H245EventEmitter;
  private readonly logger: H245Logger;
  private readonly timers: H245Timers;
  private readonly ctx: EntityContext;
  private readonly msd: MasterSlaveDetermination;
  private readonly outgoingCese: OutgoingCapabilityExchange;
  private readonly incomingCese: IncomingCapabilityExchange;
  private readonly incomingClcse: IncomingChannelCloseRequest;
  private readonly rtd: RoundTripDelay;
  private readonly remoteTable = new RemoteCapabilityTable();
  private readonly channels: ChannelTable;
  private remote: RemoteCapabilities | undefined;
  /** The set accepted by the TerminalCapabilitySet being processed, announced once its ack is queued. */
  private accepted: RemoteCapabilities | undefined;
  private masterValue: boolean | undefined;
  private ourSetAcknowledged = false;
  private readyEmitted = false;
  private readonly outbox: H245Types.MultimediaSystemControlMessage[] = [];
  private depth = 0;
  private closed = false;

  /** @throws RangeError on invalid timers, capabilities or terminalType. */
  constructor(private readonly options: H245SessionOptions) {
    this.logger = options.logger ?? silentH245Logger;
    this.events = new H245EventEmitter(this.logger);
    this.timers = h245Timers(options.timers);
    const terminalType = options.terminalType ?? MCU_TERMINAL_TYPE;
    if (!Number.isInteger(terminalType) || terminalType < 0 || terminalType > 255) throw new RangeError(`terminalType must be 0..255, got ${terminalType}`);
    buildTerminalCapabilitySet(options.capabilities, 0);
    const clock = options.clock ?? systemH245Clock;
    const guardedClock: H245Clock = {
      setTimeout: (cb, ms) => clock.setTimeout(() => this.guard(cb), ms),
      clearTimeout: (h) => clock.clearTimeout(h),
      now: () => clock.now(),
    };
    this.ctx = { send: (m) => this.enqueue(m), clock: guardedClock, logger: this.logger };
    const random = options.random ?? (() => Math.floor(Math.random() * 0x1000000));
    this.msd = new MasterSlaveDetermination(this.ctx, { terminalType, t106: this.timers.T106, maxRetries: this.timers.N100, random }, {
      determined: (isMaster) => {
        this.masterValue = isMaster;
        this.events.emit('master-slave', { isMaster });
        this.checkReady();
      },
      failed: (code, reason) => {
        this.masterValue = undefined;
        this.events.emit('protocol-error', { procedure: 'master-slave', code, reason });
      },
    });
    this.outgoingCese = new OutgoingCapabilityExchange(this.ctx, (sq) => buildTerminalCapabilitySet(options.capabilities, sq), this.timers.T101, {
      acknowledged: (sq) => {
        this.logger.debug({ sequenceNumber: sq }, 'H.245 our TerminalCapabilitySet acknowledged');
        this.ourSetAcknowledged = true;
        this.checkReady();
      },
      rejected: (reason, cause) => this.events.emit('protocol-error', { procedure: 'capability-exchange', ...(cause ? {} : { code: 'T101' }), reason }),
    });
    this.incomingCese = new IncomingCapabilityExchange(this.ctx, (tcs) => {
      const result = this.remoteTable.apply(tcs);
      if (!result.ok) {
        this.logger.warn({ cause: result.cause, sequenceNumber: tcs.sequenceNumber }, `H.245 TerminalCapabilitySet rejected: ${result.reason}`);
        return { accept: false, cause: result.cause };
      }
      this.remote = result.capabilities;
      this.accepted = result.capabilities;
      return { accept: true };
    });
    this.incomingClcse = new IncomingChannelCloseRequest(this.ctx, (n) => this.channels.canCloseTransmit(n));
    this.rtd = new RoundTripDelay(this.ctx, this.timers.T105, {
      measured: (ms) => this.events.emit('round-trip', { ms }),
      expired: () => this.events.emit('protocol-error', { procedure: 'round-trip-delay', code: 'T105', reason: 'no RoundTripDelayResponse' }),
    });
    this.channels = new ChannelTable(
      this.ctx,
      this.timers,
      options.capabilities.audio,
      this.events,
      options.firstChannelNumber ?? 1,
      () => this.masterValue,
      (options.capabilities.video ?? []).map((v) => v.codec),
    );
  }

  /** Adds a listener (see {@link H245SessionEvents}). */
  on<E extends keyof H245SessionEvents>(event: E, listener: (...args: H245SessionEvents[E]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  /** Removes a listener. */
  off<E extends keyof H245SessionEvents>(event: E, listener: (...args: H245SessionEvents[E]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /** true/false once master-slave determination succeeded, undefined before. */
  get isMaster(): boolean | undefined {
    return this.masterValue;
  }

  /** The remote capabilities, once a TerminalCapabilitySet was accepted. */
  get remoteCapabilities(): RemoteCapabilities | undefined {
    return this.remote;
  }

  /** Whether close() ran or the remote ended the session. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts the session: sends our TerminalCapabilitySet (§5.2) and MasterSlaveDetermination (§5.1). */
  start(): void {
    this.guard(() => {
      this.outgoingCese.transfer();
      this.msd.start();
    });
  }

  /**
   * Opens an audio channel we transmit on (H.245 §5.3): codec and packet duration from the remote capabilities
   * unless given. Returns the channel number, or undefined (with a log line) when the remote capabilities are not
   * known yet, have no codec in common with ours, or the session is closed.
   * @param p.rtcp our RTCP address (mediaControlChannel)
   * @throws RangeError when the address is not IPv4 or the port is out of range.
   */
  openAudioChannel(p: { rtcp: MediaAddress; codec?: AudioCodecName; framesPerPacket?: number }): number | undefined {
    if (this.closed) return undefined;
    const remote = this.remote;
    const choice = p.codec
      ? { codec: p.codec, framesPerPacket: p.framesPerPacket ?? this.options.capabilities.framesPerPacket ?? 20 }
      : remote && chooseTransmitCodec(this.options.capabilities, remote);
    if (!choice) {
      this.logger.warn({ remoteKnown: remote !== undefined }, 'H.245 no audio codec in common: no channel opened');
      return undefined;
    }
    let channelNumber: number | undefined;
    this.guard(() => {
      channelNumber = this.channels.openTransmit((n) => buildAudioOlc({ channelNumber: n, codec: choice.codec, framesPerPacket: choice.framesPerPacket, rtcp: p.rtcp }));
    });
    return channelNumber;
  }

  /**
   * Opens a video channel we transmit on (H.245 §5.3, session 2): the codec both we send and the remote receives
   * (`preference` order, default the order of our video capabilities), intersected (lower maxBitRate and level, common H.263 sizes);
   * H.264 in the first packetization mode the remote receives that we also list (H.241 §8.3.2; default 0) on
   * dynamic payload type `payloadType` (default 96), H.263 on static payload type 34 (RFC 2190). Returns the
   * channel number and what it carries, or undefined (with a log line) when there is nothing in common, the
   * remote capabilities are not known yet or the session is closed.
   * @param p.rtcp our video RTCP address (mediaControlChannel)
   * @throws RangeError when the address is not IPv4 or the port is out of range.
   */
  openVideoChannel(p: { rtcp: MediaAddress; preference?: readonly VideoCodecName[]; payloadType?: number }): { channelNumber: number; video: VideoCapabilityDescription } | undefined {
    if (this.closed) return undefined;
    const remote = this.remote;
    const local = this.options.capabilities.video ?? [];
    const video = remote && chooseTransmitVideo(local, remote.receiveVideo, p.preference ?? local.map((v) => v.codec));
    if (!remote || !video) {
      this.logger.info({ remoteKnown: remote !== undefined, remoteVideo: remote?.receiveVideo.map((v) => v.codec) }, 'H.245 no video codec in common: no video channel opened');
      return undefined;
    }
    const ours = this.options.capabilities.h264PacketizationModes ?? [0];
    const packetizationMode = remote.h264PacketizationModes.find((m) => ours.includes(m)) ?? 0;
    let channelNumber: number | undefined;
    this.guard(() => {
      channelNumber = this.channels.openTransmit((n) =>
        buildVideoOlc({ channelNumber: n, video, rtcp: p.rtcp, ...(p.payloadType === undefined ? {} : { payloadType: p.payloadType }), packetizationMode }),
      );
    });
    return channelNumber === undefined ? undefined : { channelNumber, video };
  }

  /** Whether one of our transmit channels (open or opening) carries video. */
  get hasTransmitVideo(): boolean {
    return this.channels.hasTransmitVideo();
  }

  /** The established video channels the remote transmits on (we receive), by number. */
  get receiveVideoChannels(): number[] {
    return this.channels.videoChannels('receive');
  }

  /** The established video channels we transmit on, by number. */
  get transmitVideoChannels(): number[] {
    return this.channels.videoChannels('transmit');
  }

  /** Closes a channel we transmit on (CloseLogicalChannel, §5.3). Returns false for an unknown channel. */
  closeChannel(channelNumber: number): boolean {
    let done = false;
    this.guard(() => {
      done = this.channels.closeTransmit(channelNumber);
    });
    return done;
  }

  /** Asks the remote to close a channel it transmits on (RequestChannelClose, §5.4). False for an unknown channel. */
  requestChannelClose(channelNumber: number): boolean {
    let done = false;
    this.guard(() => {
      done = this.channels.requestReceiveClose(channelNumber);
    });
    return done;
  }

  /**
   * Registers a channel opened by Fast Connect (H.323 §8.1.7) so that later H.245 (CloseLogicalChannel,
   * RequestChannelClose) applies to it and its number is not reused.
   */
  adoptFastStartChannel(p: { direction: 'transmit' | 'receive'; olc: H245Types.OpenLogicalChannel }): void {
    this.channels.adopt(p.direction, p.olc);
  }

  /** Sends RoundTripDelayRequest (§5.7); the result is a 'round-trip' or 'protocol-error' event. */
  measureRoundTripDelay(): void {
    if (!this.closed) this.guard(() => this.rtd.start());
  }

  /**
   * Sends a UserInputIndication with one DTMF digit or "!" (hook flash), as `signal` with `durationMs` (ms) or as
   * `alphanumeric`. Without `mode`: `signal` when the remote announced dtmf but not basicString, else
   * `alphanumeric` (H.245 UserInputCapability).
   * @throws RangeError for a character that is not a DTMF digit or "!".
   */
  sendUserInput(digit: DtmfDigit | '!', mode?: 'alphanumeric' | 'signal', durationMs?: number): void {
    const ui = this.remote?.userInput;
    const chosen = mode ?? (ui && ui.dtmf && !ui.basicString ? 'signal' : 'alphanumeric');
    const message = buildUserInput(digit, chosen, durationMs);
    if (!this.closed) this.guard(() => this.enqueue(message));
  }

  /** Sends MiscellaneousCommand videoFastUpdatePicture for `channelNumber` (a channel the remote transmits on). */
  sendVideoFastUpdate(channelNumber: number): void {
    if (this.closed) return;
    this.guard(() => this.enqueue(command({ tag: 'miscellaneousCommand', value: { logicalChannelNumber: channelNumber, type: { tag: 'videoFastUpdatePicture', value: null } } })));
  }

  /**
   * Ends the session: sends EndSessionCommand disconnect (H.323 §8.5, call termination) unless `sendEndSession`
   * is false or the remote ended it, and stops every timer; later input is ignored and pending open-channel
   * requests can no longer be answered. Safe to call twice.
   */
  close(sendEndSession = true): void {
    if (this.closed) return;
    this.guard(() => {
      if (sendEndSession) this.enqueue(command({ tag: 'endSessionCommand', value: { tag: 'disconnect', value: null } }));
      this.shutDown();
    });
  }

  /**
   * Decodes and processes the PDUs in `bytes` (one, as in h245Control; some stacks put several in one TPKT on a
   * separate H.245 connection, so consecutive PDUs are processed in order and trailing zero octets are taken as
   * padding). An undecodable PDU is answered with FunctionNotSupported (syntaxError, without returnedFunction)
   * and reported as a 'protocol-error'; the rest of `bytes` is then dropped. Never throws.
   */
  receiveEncoded(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length && !this.closed) {
      const rest = bytes.subarray(offset);
      if (offset > 0 && rest.every((b) => b === 0)) return;
      let decoded: { value: H245Types.MultimediaSystemControlMessage; octets: number };
      try {
        decoded = decodePrefix(H245.MultimediaSystemControlMessage, rest);
      } catch (err) {
        const reason = err instanceof PerDecodeError ? err.message : String(err);
        this.logger.warn({ ...errorFields(err), octets: rest.length }, 'H.245 undecodable PDU');
        // returnedFunction is left out: analysers decode it as H.245 and would flag our indication as malformed.
        this.guard(() => this.enqueue(functionNotSupported('syntaxError')));
        this.events.emit('protocol-error', { procedure: 'message', code: 'syntaxError', reason });
        return;
      }
      offset += decoded.octets;
      this.receive(decoded.value);
    }
  }

  /** Processes one received PDU. Never throws. */
  receive(message: H245Types.MultimediaSystemControlMessage): void {
    if (this.closed) {
      this.logger.info({ kind: kindOf(message) }, 'H.245 message after the session ended: ignored');
      return;
    }
    this.guard(() => this.dispatch(message));
  }

  private dispatch(message: H245Types.MultimediaSystemControlMessage): void {
    switch (message.tag) {
      case 'request':
        return this.onRequest(message);
      case 'response':
        return this.onResponse(message.value);
      case 'command':
        return this.onCommand(message);
      case 'indication':
        return this.onIndication(message.value);
      default:
        this.logger.warn({ index: message.index }, 'H.245 message of an unknown kind ignored');
    }
  }

  private onRequest(message: H245Types.MultimediaSystemControlMessage & { tag: 'request' }): void {
    const req = message.value;
    switch (req.tag) {
      case 'masterSlaveDetermination':
        return this.msd.receiveRequest(req.value);
      case 'terminalCapabilitySet': {
        this.accepted = undefined;
        this.incomingCese.receive(req.value);
        const accepted = this.accepted as RemoteCapabilities | undefined;
        if (!accepted) return;
        this.accepted = undefined;
        if (accepted.empty) this.channels.closeAllTransmit();
        this.events.emit('remote-capabilities', accepted);
        this.checkReady();
        return;
      }
      case 'openLogicalChannel':
        return this.channels.receiveOpen(req.value);
      case 'closeLogicalChannel':
        return this.channels.receiveClose(req.value);
      case 'requestChannelClose':
        return this.incomingClcse.receive(req.value, (n) => this.channels.closeTransmit(n));
      case 'roundTripDelayRequest':
        return this.rtd.receiveRequest(req.value);
      default: {
        this.logger.info({ request: req.tag }, 'H.245 unsupported request answered');
        const answer = answerUnsupportedRequest(message);
        if (answer) this.enqueue(answer);
      }
    }
  }

  /** Emits 'ready' once phase B is complete (H.323 §8.2). */
  private checkReady(): void {
    if (this.readyEmitted || this.closed || !this.ourSetAcknowledged || !this.remote || this.masterValue === undefined) return;
    this.readyEmitted = true;
    this.events.emit('ready', { isMaster: this.masterValue, remoteCapabilities: this.remote });
  }

  private onResponse(res: H245Types.ResponseMessage): void {
    switch (res.tag) {
      case 'masterSlaveDeterminationAck':
        return this.msd.receiveAck(res.value);
      case 'masterSlaveDeterminationReject':
        return this.msd.receiveReject();
      case 'terminalCapabilitySetAck':
        return this.outgoingCese.receiveAck(res.value);
      case 'terminalCapabilitySetReject':
        return this.outgoingCese.receiveReject(res.value);
      case 'openLogicalChannelAck':
        return this.channels.receiveOpenAck(res.value);
      case 'openLogicalChannelReject':
        return this.channels.receiveOpenReject(res.value);
      case 'closeLogicalChannelAck':
        return this.channels.receiveCloseAck(res.value.forwardLogicalChannelNumber);
      case 'requestChannelCloseAck':
        return this.channels.receiveRequestCloseResponse(res.value.forwardLogicalChannelNumber, 'accepted');
      case 'requestChannelCloseReject':
        return this.channels.receiveRequestCloseResponse(res.value.forwardLogicalChannelNumber, 'rejected');
      case 'roundTripDelayResponse':
        return this.rtd.receiveResponse(res.value);
      case '$unknown': {
        const answer = functionNotUnderstood({ tag: 'response', value: res });
        if (answer) this.enqueue(answer);
        this.logger.info({ index: res.index }, 'H.245 unknown response returned in FunctionNotUnderstood');
        return;
      }
      default:
        this.logger.info({ response: res.tag }, 'H.245 response with no procedure waiting for it: ignored');
    }
  }

  private onCommand(message: H245Types.MultimediaSystemControlMessage & { tag: 'command' }): void {
    const cmd = message.value;
    switch (cmd.tag) {
      case 'endSessionCommand':
        this.logger.info({ option: cmd.value.tag }, 'H.245 EndSessionCommand received');
        this.enqueue(command({ tag: 'endSessionCommand', value: { tag: 'disconnect', value: null } }));
        this.shutDown();
        this.events.emit('end-session');
        return;
      case 'miscellaneousCommand': {
        const type = cmd.value.type.tag;
        if (type === 'videoFastUpdatePicture' || type === 'videoFastUpdateGOB' || type === 'videoFastUpdateMB') {
          this.events.emit('video-fast-update', { channel: cmd.value.logicalChannelNumber });
        } else {
          this.logger.debug({ type, channel: cmd.value.logicalChannelNumber }, 'H.245 MiscellaneousCommand ignored');
        }
        return;
      }
      case 'sendTerminalCapabilitySet':
        this.outgoingCese.transfer();
        return;
      default: {
        this.logger.info({ command: cmd.tag }, 'H.245 unsupported command');
        const answer = answerUnsupportedCommand(message);
        if (answer) this.enqueue(answer);
      }
    }
  }

  private onIndication(ind: H245Types.IndicationMessage): void {
    switch (ind.tag) {
      case 'userInput':
        for (const event of parseUserInput(ind.value)) this.events.emit('user-input', event);
        return;
      case 'masterSlaveDeterminationRelease':
        return this.msd.receiveRelease();
      case 'terminalCapabilitySetRelease':
        return this.incomingCese.receiveRelease();
      case 'requestChannelCloseRelease':
        return this.incomingClcse.receiveRelease(ind.value);
      case 'functionNotUnderstood':
      case 'functionNotSupported':
        this.logger.warn({ indication: ind.tag }, 'H.245 remote did not understand or support one of our messages');
        return;
      default:
        this.logger.debug({ indication: ind.tag }, 'H.245 indication ignored');
    }
  }

  private shutDown(): void {
    this.closed = true;
    this.msd.dispose();
    this.outgoingCese.dispose();
    this.rtd.dispose();
    this.channels.dispose();
  }

  private enqueue(message: H245Types.MultimediaSystemControlMessage): void {
    this.outbox.push(message);
    if (this.depth === 0) this.flush();
  }

  /** Runs `fn` as one step: messages it queues are sent when the outermost step ends; exceptions are logged. */
  private guard(fn: () => void): void {
    this.depth += 1;
    try {
      fn();
    } catch (err) {
      this.logger.error({ ...errorFields(err) }, 'H.245 internal error while processing');
      this.events.emit('protocol-error', { procedure: 'message', reason: String(err) });
    } finally {
      this.depth -= 1;
    }
    if (this.depth === 0) this.flush();
  }

  private flush(): void {
    while (this.outbox.length > 0) {
      const message = this.outbox.shift() as H245Types.MultimediaSystemControlMessage;
      try {
        this.options.send(message);
      } catch (err) {
        this.logger.error({ ...errorFields(err), kind: kindOf(message) }, 'H.245 send failed');
      }
    }
  }
}
