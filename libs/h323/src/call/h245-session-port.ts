import { encode } from '../per/codec';
import { H245 } from '../asn1/generated';
import type { LocalCapabilities } from '../h245/capabilities';
import type { H245Logger } from '../h245/h245-logger';
import { H245Session } from '../h245/h245-session';
import { isDtmfDigit } from '../h245/user-input';
import type { H245Clock, H245Timers } from '../h245/timers';
import type { H245Port, H245PortContext, H245PortFactory } from './h245-port';
import { rtpCodecOf } from './media-channel';

/** Settings of the H.245 sessions {@link h245SessionPorts} creates. */
export interface H245SessionPortOptions {
  /** What we announce in TerminalCapabilitySet (audio codecs, packet durations …). */
  readonly capabilities: LocalCapabilities;
  /** terminalType for master-slave determination (default: the session's MCU value, 190). */
  readonly terminalType?: number;
  readonly timers?: Partial<H245Timers>;
  readonly clock?: H245Clock;
  readonly logger?: H245Logger;
}

/**
 * The {@link H245PortFactory} backed by ../h245/h245-session.ts: one {@link H245Session} per call.
 *
 * Behaviour (H.323 §8.2–§8.4 as an MCU plays it): on start, TerminalCapabilitySet and MasterSlaveDetermination;
 * every OpenLogicalChannel for audio the session accepts is acknowledged with our RTP/RTCP; once the remote
 * capabilities are known and master-slave determination is done, we open our transmit audio channel — unless
 * Fast Connect already opened the audio channels, which the session then adopts.
 */
export function h245SessionPorts(options: H245SessionPortOptions): H245PortFactory {
  return (context) => new H245SessionPort(context, options);
}

class H245SessionPort implements H245Port {
  private readonly session: H245Session;
  private transmitOpened: boolean;
  private capabilitiesKnown = false;
  private masterSlaveDone = false;

  constructor(
    private readonly context: H245PortContext,
    options: H245SessionPortOptions,
  ) {
    const { events, localMedia } = context;
    const rtp = { address: localMedia.address, port: localMedia.rtpPort };
    const rtcp = { address: localMedia.address, port: localMedia.rtpPort + 1 };
    this.session = new H245Session({
      send: (message) => events.send(encode(H245.MultimediaSystemControlMessage, message)),
      capabilities: options.capabilities,
      ...(options.terminalType === undefined ? {} : { terminalType: options.terminalType }),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      // Channel numbers above those Fast Connect used.
      firstChannelNumber: 2,
    });
    for (const opened of context.fastStartChannels) {
      this.session.adoptFastStartChannel({ direction: opened.channel.direction === 'send' ? 'transmit' : 'receive', olc: opened.olc });
    }
    this.transmitOpened = context.fastStartChannels.some((c) => c.channel.direction === 'send');
    this.session
      .on('remote-capabilities', () => {
        this.capabilitiesKnown = true;
        this.openTransmit(rtcp);
      })
      .on('master-slave', () => {
        this.masterSlaveDone = true;
        this.openTransmit(rtcp);
      })
      .on('open-channel-request', (request) => {
        request.accept({ rtp, rtcp });
      })
      .on('channel-established', (established) => {
        events.media({
          kind: 'audio',
          direction: established.direction === 'transmit' ? 'send' : 'receive',
          ...rtpCodecOf(established.codec),
          framesPerPacket: established.framesPerPacket,
          ...(established.remoteRtp ? { remoteRtp: established.remoteRtp } : {}),
          ...(established.remoteRtcp ? { remoteRtcp: established.remoteRtcp } : {}),
          localRtpPort: localMedia.rtpPort,
          channelNumber: established.channelNumber,
        });
      })
      .on('channel-closed', (closed) => events.mediaClosed(closed.channelNumber, closed.direction === 'transmit' ? 'send' : 'receive'))
      .on('user-input', (input) => {
        if (input.kind === 'dtmf') events.userInput(input.digit);
        else if (input.kind === 'hookflash') events.userInput('!');
        else events.userInput(input.text);
      })
      .on('video-fast-update', () => events.videoFastUpdate())
      .on('end-session', () => events.endSession());
  }

  start(): void {
    this.session.start();
  }

  receive(pdu: Buffer): void {
    this.session.receiveEncoded(pdu);
  }

  sendUserInput(digit: string): void {
    if (digit === '!' || isDtmfDigit(digit)) this.session.sendUserInput(digit);
  }

  endSession(): void {
    this.session.close(true);
  }

  close(): void {
    this.session.close(false);
  }

  /** Our transmit channel (H.245 §8.4.2) once capabilities and master/slave are settled. */
  private openTransmit(rtcp: { address: string; port: number }): void {
    if (this.transmitOpened || !this.capabilitiesKnown || !this.masterSlaveDone || this.session.isClosed) return;
    this.transmitOpened = this.session.openAudioChannel({ rtcp }) !== undefined;
  }
}
