/**
 * What the signalling layer negotiated for one audio media line (the outcome of RFC 3264 offer/answer
 * or of H.245 logical channels), in media terms only: addresses, payload types, codec, packet
 * time and direction. Checked once here so that the media path can trust it.
 */
import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors';

/** SDP direction attribute (RFC 3264 §5.1) **from the MCU's point of view**. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** Audio codecs the media plane encodes and decodes (SDP encoding names). */
export type AudioCodecName = 'PCMU' | 'PCMA' | 'G722' | 'opus';

/** Negotiated parameters of one audio leg. */
export interface AudioLegParams {
  /** Remote RTP address, an IPv4 or IPv6 literal (resolve host names first); `0.0.0.0` means hold. */
  remoteAddress: string;
  /** Remote RTP port, 1…65535. */
  remotePort: number;
  /** Remote RTCP port (`a=rtcp`, RFC 3605); default `remotePort + 1` (RFC 3550 §11). Ignored with rtcp-mux. */
  remoteRtcpPort?: number;
  /** RTP and RTCP on one port (RFC 5761), when offered and answered. */
  rtcpMux: boolean;
  /** Payload type of the codec as the remote side numbers it (the number to send with), 0…127. */
  payloadType: number;
  codec: AudioCodecName;
  /** RTP clock rate, Hz: 8000 for PCMU, PCMA and G722 (RFC 3551 §4.5.2), 48000 for opus (RFC 7587 §4.1). */
  clockRate: number;
  /** Channels from `a=rtpmap`: 1, or 2 for opus (`opus/48000/2`; we still send mono). */
  channels: number;
  /**
   * Packet time from `a=ptime`, ms. 10, 20, 30 and 40 are used as given (opus: 10, 20, 40, 60);
   * other values are rounded to the nearest supported one, since `a=ptime` is a preference (RFC 4566 §6).
   */
  ptimeMs: number;
  /** RFC 4733 telephone-event payload type as the remote side numbers it, when negotiated. */
  telephoneEventPt?: number;
  /**
   * Direction from the MCU's side, as `NegotiatedStream.direction` gives it: `sendrecv` normal;
   * `recvonly` (the remote sent `a=sendonly`: hold) and `inactive` stop sending to the leg and
   * mixing from it; `sendonly` (the remote listens only) sends the mix and mixes nothing from it.
   */
  direction: MediaDirection;
  /** RFC 6464 client-to-mixer audio level header extension id (`a=extmap`, RFC 8285), 1…14. */
  audioLevelExtensionId?: number;
}

/** Parameters after `checkAudioLegParams`: RTCP port filled in, packet time supported by the codec. */
export type CheckedAudioLegParams = AudioLegParams & { readonly remoteRtcpPort: number };

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];
const CODEC_RATES: Readonly<Record<AudioCodecName, number>> = { PCMU: 8000, PCMA: 8000, G722: 8000, opus: 48000 };
const PACKET_TIMES: Readonly<Record<AudioCodecName, readonly number[]>> = {
  PCMU: [10, 20, 30, 40],
  PCMA: [10, 20, 30, 40],
  G722: [10, 20, 30, 40],
  opus: [10, 20, 40, 60],
};

/**
 * Checks negotiated parameters.
 * @returns the parameters with the packet time normalized and the RTCP port filled in.
 * @throws InvalidArgumentError naming the first invalid field (not an IP literal, port or payload
 *   type out of range, payload type in the RTCP-conflict range 72–76 (RFC 5761 §4), codec/rate/channels
 *   mismatch, telephone-event type equal to the codec's, unknown direction).
 */
export function checkAudioLegParams(p: AudioLegParams): CheckedAudioLegParams {
  if (isIP(p.remoteAddress) === 0) throw new InvalidArgumentError(`remoteAddress ${JSON.stringify(p.remoteAddress)} is not an IP literal`);
  checkPort('remotePort', p.remotePort);
  const remoteRtcpPort = p.remoteRtcpPort ?? (p.remotePort < 65535 ? p.remotePort + 1 : p.remotePort);
  checkPort('remoteRtcpPort', remoteRtcpPort);
  checkPayloadType('payloadType', p.payloadType);
  if (!(p.codec in CODEC_RATES)) throw new InvalidArgumentError(`codec ${JSON.stringify(p.codec)} is not one of ${Object.keys(CODEC_RATES).join(', ')}`);
  if (p.clockRate !== CODEC_RATES[p.codec]) throw new InvalidArgumentError(`clockRate ${p.clockRate} does not fit ${p.codec} (${CODEC_RATES[p.codec]} Hz)`);
  const maxChannels = p.codec === 'opus' ? 2 : 1;
  if (!Number.isInteger(p.channels) || p.channels < 1 || p.channels > maxChannels) {
    throw new InvalidArgumentError(`channels ${p.channels} does not fit ${p.codec}`);
  }
  if (!Number.isFinite(p.ptimeMs) || p.ptimeMs <= 0) throw new InvalidArgumentError(`ptimeMs ${p.ptimeMs} is not a positive duration`);
  if (p.telephoneEventPt !== undefined) {
    checkPayloadType('telephoneEventPt', p.telephoneEventPt);
    if (p.telephoneEventPt === p.payloadType) throw new InvalidArgumentError(`telephoneEventPt equals payloadType ${p.payloadType}`);
  }
  if (!DIRECTIONS.includes(p.direction)) throw new InvalidArgumentError(`direction ${JSON.stringify(p.direction)} is not one of ${DIRECTIONS.join(', ')}`);
  const ext = p.audioLevelExtensionId;
  if (ext !== undefined && (!Number.isInteger(ext) || ext < 1 || ext > 14)) throw new InvalidArgumentError(`audioLevelExtensionId ${ext} outside 1…14`);
  return { ...p, remoteRtcpPort, ptimeMs: nearestPacketTime(p.codec, p.ptimeMs) };
}

/** The supported packet time closest to `ptimeMs` for `codec` (ties go to the shorter one). */
export function nearestPacketTime(codec: AudioCodecName, ptimeMs: number): number {
  const times = PACKET_TIMES[codec];
  let best = times[0];
  for (const t of times) if (Math.abs(t - ptimeMs) < Math.abs(best - ptimeMs)) best = t;
  return best;
}

/** Does the MCU send RTP on a leg with this direction? */
export function sendsTo(direction: MediaDirection): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

/** Is the leg's incoming audio mixed? Only `sendrecv`: `recvonly` is the remote's hold (music on hold is not mixed). */
export function mixesFrom(direction: MediaDirection): boolean {
  return direction === 'sendrecv';
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`${name} ${port} outside 1…65535`);
}

function checkPayloadType(name: string, pt: number): void {
  if (!Number.isInteger(pt) || pt < 0 || pt > 127) throw new InvalidArgumentError(`${name} ${pt} outside 0…127`);
  if (pt >= 72 && pt <= 76) throw new InvalidArgumentError(`${name} ${pt} conflicts with RTCP packet types (RFC 5761 §4)`);
}
