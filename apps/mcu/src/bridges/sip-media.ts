/**
 * SIP ↔ media plane translations: what an SDP offer/answer negotiated (`NegotiatedStream`, RFC 3264)
 * as the media plane's `AudioLegParams`, the codecs the MCU offers and accepts (opus only with
 * libopus), and the DTMF digit of a SIP INFO `application/dtmf-relay` body.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AudioCodecName, AudioLegParams } from '@mcu/media-mixer';
import { DEFAULT_CODECS, type CodecCapability, type NegotiatedStream } from '@mcu/sip';
import type { ConferenceMedia } from '../conference/conference-media';
import { errorFields } from '../logging/logger';
import type { SipBridge } from './sip-bridge';
import type { LegLogger } from './sip-call-leg';

/** SDP encoding names (lower case) → the media plane's codec names. */
const AUDIO_CODECS: Readonly<Record<string, AudioCodecName>> = { pcmu: 'PCMU', pcma: 'PCMA', g722: 'G722', opus: 'opus' };

/**
 * The local capabilities for offers and answers: `DEFAULT_CODECS` without the audio codecs the
 * media plane cannot run (`supports('opus')` false → opus neither offered nor accepted).
 */
export function sipCapabilities(supports: (codec: string) => boolean): CodecCapability[] {
  return DEFAULT_CODECS.filter((c) => c.kind !== 'audio' || c.name === 'telephone-event' || supports(c.name));
}

/**
 * The media plane's parameters for a negotiated audio stream.
 * @returns `{ reason }` when the codec is not one the mixer runs or the remote address is not an IP
 *   literal (resolve host names first, see `connectSipMedia`).
 */
export function audioLegParams(stream: NegotiatedStream): { params: AudioLegParams } | { reason: string } {
  const codec = AUDIO_CODECS[stream.codec.toLowerCase()];
  if (codec === undefined) return { reason: `codec ${stream.codec} is not mixed` };
  if (isIP(stream.address) === 0) return { reason: `remote address ${stream.address} is not an IP literal` };
  return {
    params: {
      remoteAddress: stream.address,
      remotePort: stream.port,
      remoteRtcpPort: stream.rtcpPort,
      rtcpMux: stream.rtcpMux,
      payloadType: stream.payloadType,
      codec,
      clockRate: stream.clockRate,
      channels: stream.channels,
      ptimeMs: stream.ptime ?? 20,
      ...(stream.telephoneEventPt === undefined ? {} : { telephoneEventPt: stream.telephoneEventPt }),
      direction: stream.direction,
    },
  };
}

/** RFC 4733 §3.2 event codes 10–15 as the digits they stand for. */
const EVENT_DIGITS = ['*', '#', 'A', 'B', 'C', 'D'];

/**
 * The digit of a SIP INFO `application/dtmf-relay` body (`Signal=5\r\nDuration=160`, the de-facto
 * format of Cisco and most phones), also `Signal=10`…`15` for `*`, `#`, `A`–`D`.
 * @returns undefined for a body without a valid `Signal` line.
 */
export function dtmfRelayDigit(body: string): string | undefined {
  const match = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body);
  if (!match) return undefined;
  const value = match[1].toUpperCase();
  if (/^[0-9*#A-D]$/.test(value)) return value;
  const code = /^1[0-5]$/.test(value) ? Number(value) : undefined;
  return code === undefined ? undefined : EVENT_DIGITS[code - 10];
}

/** Resolves a host name from SDP `c=` to an IP literal. */
export type HostResolver = (host: string) => Promise<string>;

/** The system resolver (`getaddrinfo`, like every other host name the MCU uses). */
export const systemResolver: HostResolver = async (host) => (await lookup(host)).address;

/**
 * Feeds every SIP leg's negotiated audio to the conference's media side: the first answer starts the
 * leg (at the 200 OK when the INVITE carried the offer, since the caller may send RTP before its ACK;
 * at the ACK otherwise), each re-INVITE/UPDATE updates it (hold and resume through the direction, a
 * new address, codec or packet time), an audio m-line declined later suspends it. A host name in
 * `c=` (RFC 4566 §5.7 allows one) is resolved first; a result that arrives after a newer offer/answer
 * is dropped. Failures are logged; the call stays up.
 * @returns the function that disconnects the listener.
 */
export function connectSipMedia(
  bridge: SipBridge,
  media: Pick<ConferenceMedia, 'connect' | 'suspend'>,
  logger: LegLogger,
  resolve: HostResolver = systemResolver,
): () => void {
  const generations = new Map<string, number>();
  return bridge.onMedia((participantId, negotiated, leg) => {
    const allocation = leg.ports.get('audio')?.allocation;
    if (participantId === undefined || allocation === undefined) return;
    const generation = (generations.get(participantId) ?? 0) + 1;
    generations.set(participantId, generation);
    const callId = leg.call.callId;
    const apply = (stream: NegotiatedStream | undefined): void => {
      if (generations.get(participantId) !== generation) return;
      try {
        if (stream === undefined) {
          media.suspend(participantId);
          return;
        }
        const mapped = audioLegParams(stream);
        if ('reason' in mapped) {
          logger.warn({ callId, participantId, reason: mapped.reason }, 'audio not mixed');
          media.suspend(participantId);
          return;
        }
        media.connect(participantId, allocation, mapped.params);
      } catch (err) {
        logger.warn({ callId, participantId, ...errorFields(err) }, 'media leg not started or updated');
      }
    };
    const stream = negotiated.streams.find((s) => s.kind === 'audio');
    if (stream === undefined || isIP(stream.address) !== 0) {
      apply(stream);
      return;
    }
    resolve(stream.address).then(
      (address) => apply({ ...stream, address }),
      (err: unknown) => {
        logger.warn({ callId, participantId, host: stream.address, ...errorFields(err) }, 'remote media host not resolved');
        apply(undefined);
      },
    );
  });
}
