/**
 * The remote terminal's capabilities, merged from the TerminalCapabilitySets it sends (H.245 Annex B.2.2: a
 * TerminalCapabilitySet adds or replaces capability table entries and capability descriptors; an entry without
 * `capability` or a descriptor without `simultaneousCapabilities` is removed; H.323 §8.4.6: a set with neither
 * table nor descriptors is the "empty capability set" that pauses transmission), and reduced to what this MCU can
 * use: the audio codecs it can receive, in its preference order, and how it takes user input.
 */
import type { H245Types } from '../asn1/generated';
import { isAudioCodecName, type AudioCodecName, type LocalCapabilities, DEFAULT_FRAMES_PER_PACKET } from './capabilities';
import { H241_NON_INTERLEAVED_OID, H241_SINGLE_NAL_OID, parseVideoCapability, type VideoCapabilityDescription } from './video-capabilities';

/** One audio capability of the remote terminal that we support. */
export interface RemoteAudioCapability {
  readonly codec: AudioCodecName;
  /** maxAl-sduAudioFrames: the most ms of audio per packet it takes (receive) or sends (transmit). */
  readonly maxFramesPerPacket: number;
}

/** The remote capabilities as this MCU uses them. */
export interface RemoteCapabilities {
  /** True after an empty capability set (H.323 §8.4.6): close our transmit channels until a new set arrives. */
  readonly empty: boolean;
  /** Codecs the remote can receive (our transmit choices), in its preference order. */
  readonly receiveAudio: readonly RemoteAudioCapability[];
  /** Codecs the remote says it can transmit. */
  readonly transmitAudio: readonly RemoteAudioCapability[];
  /** User input the remote accepts in UserInputIndication (receiveUserInputCapability). */
  readonly userInput: { readonly basicString: boolean; readonly dtmf: boolean; readonly hookflash: boolean };
  /** RFC 4733 telephone events the remote receives over RTP (receiveRTPAudioTelephonyEventCapability). */
  readonly telephoneEvent?: { readonly payloadType: number; readonly events: string };
  /** Video the remote can receive (our transmit choices), in its preference order; H.263 and H.264 Baseline only. */
  readonly receiveVideo: readonly VideoCapabilityDescription[];
  /** Video the remote says it can transmit. */
  readonly transmitVideo: readonly VideoCapabilityDescription[];
  /**
   * H.264 packetization modes the remote announced in its H2250Capability mediaPacketizationCapability (H.241
   * §8.3.2); [0] when it names none (single NAL unit is the default).
   */
  readonly h264PacketizationModes: readonly (0 | 1)[];
}

/** Why a TerminalCapabilitySet cannot be accepted: the TerminalCapabilitySetReject cause (H.245 Annex B.2.4). */
export type TcsRejectCause = 'undefinedTableEntryUsed' | 'descriptorCapacityExceeded' | 'unspecified';

/** Outcome of applying a TerminalCapabilitySet. */
export type TcsApplyResult =
  | { readonly ok: true; readonly capabilities: RemoteCapabilities }
  | { readonly ok: false; readonly cause: TcsRejectCause; readonly reason: string };

/** Bounds against hostile sets (the ASN.1 allows 256 descriptors and 65535 table entries). */
const MAX_TABLE_ENTRIES = 1024;
const MAX_DESCRIPTORS = 256;

/** The remote capability table and descriptors, merged over successive TerminalCapabilitySets (H.245 Annex B.2.2). */
export class RemoteCapabilityTable {
  private table = new Map<number, H245Types.Capability>();
  private descriptors = new Map<number, H245Types.AlternativeCapabilitySet[]>();
  private h264Modes: readonly (0 | 1)[] = [0];

  /**
   * Applies a received TerminalCapabilitySet. When the result is not `ok` the previous state is kept, and the
   * cause is the one to send in TerminalCapabilitySetReject.
   */
  apply(tcs: H245Types.TerminalCapabilitySet): TcsApplyResult {
    if (tcs.capabilityTable === undefined && tcs.capabilityDescriptors === undefined) {
      this.table = new Map();
      this.descriptors = new Map();
      return { ok: true, capabilities: this.summary(true) };
    }
    const h264Modes = tcs.multiplexCapability ? h264ModesOf(tcs.multiplexCapability) : this.h264Modes;
    const table = new Map(this.table);
    const descriptors = new Map(this.descriptors);
    for (const entry of tcs.capabilityTable ?? []) {
      if (entry.capability === undefined) table.delete(entry.capabilityTableEntryNumber);
      else {
        table.delete(entry.capabilityTableEntryNumber);
        table.set(entry.capabilityTableEntryNumber, entry.capability);
      }
    }
    for (const d of tcs.capabilityDescriptors ?? []) {
      if (d.simultaneousCapabilities === undefined) descriptors.delete(d.capabilityDescriptorNumber);
      else descriptors.set(d.capabilityDescriptorNumber, d.simultaneousCapabilities);
    }
    if (table.size > MAX_TABLE_ENTRIES) return { ok: false, cause: 'unspecified', reason: `more than ${MAX_TABLE_ENTRIES} capability table entries` };
    if (descriptors.size > MAX_DESCRIPTORS) return { ok: false, cause: 'descriptorCapacityExceeded', reason: `more than ${MAX_DESCRIPTORS} descriptors` };
    for (const [number, sets] of descriptors) {
      for (const set of sets) {
        const missing = set.find((n) => !table.has(n));
        if (missing !== undefined) {
          return { ok: false, cause: 'undefinedTableEntryUsed', reason: `descriptor ${number} uses undefined table entry ${missing}` };
        }
      }
    }
    this.table = table;
    this.descriptors = descriptors;
    this.h264Modes = h264Modes;
    return { ok: true, capabilities: this.summary(false) };
  }

  /** Usable entries in preference order: by descriptor (number order) when there are any, else table order. */
  private orderedCapabilities(): H245Types.Capability[] {
    if (this.descriptors.size === 0) return [...this.table.values()];
    const seen = new Set<number>();
    const out: H245Types.Capability[] = [];
    for (const number of [...this.descriptors.keys()].sort((a, b) => a - b)) {
      for (const set of this.descriptors.get(number) ?? []) {
        for (const entry of set) {
          if (seen.has(entry)) continue;
          seen.add(entry);
          const capability = this.table.get(entry);
          if (capability) out.push(capability);
        }
      }
    }
    return out;
  }

  private summary(empty: boolean): RemoteCapabilities {
    const receiveAudio: RemoteAudioCapability[] = [];
    const transmitAudio: RemoteAudioCapability[] = [];
    const userInput = { basicString: false, dtmf: false, hookflash: false };
    let telephoneEvent: RemoteCapabilities['telephoneEvent'];
    const receiveVideo: VideoCapabilityDescription[] = [];
    const transmitVideo: VideoCapabilityDescription[] = [];
    const addVideo = (list: VideoCapabilityDescription[], video: H245Types.VideoCapability): void => {
      const parsed = parseVideoCapability(video);
      if (parsed) list.push(parsed);
    };
    const addAudio = (list: RemoteAudioCapability[], audio: H245Types.AudioCapability): void => {
      if (!isAudioCodecName(audio.tag) || typeof audio.value !== 'number') return;
      if (list.some((c) => c.codec === audio.tag)) return;
      list.push({ codec: audio.tag, maxFramesPerPacket: audio.value });
    };
    for (const capability of this.orderedCapabilities()) {
      switch (capability.tag) {
        case 'receiveAudioCapability':
          addAudio(receiveAudio, capability.value);
          break;
        case 'transmitAudioCapability':
          addAudio(transmitAudio, capability.value);
          break;
        case 'receiveAndTransmitAudioCapability':
          addAudio(receiveAudio, capability.value);
          addAudio(transmitAudio, capability.value);
          break;
        case 'receiveUserInputCapability':
        case 'receiveAndTransmitUserInputCapability': {
          const tag = capability.value.tag;
          if (tag === 'basicString' || tag === 'dtmf' || tag === 'hookflash') userInput[tag] = true;
          break;
        }
        case 'receiveVideoCapability':
          addVideo(receiveVideo, capability.value);
          break;
        case 'transmitVideoCapability':
          addVideo(transmitVideo, capability.value);
          break;
        case 'receiveAndTransmitVideoCapability':
          addVideo(receiveVideo, capability.value);
          addVideo(transmitVideo, capability.value);
          break;
        case 'receiveRTPAudioTelephonyEventCapability':
          telephoneEvent = { payloadType: capability.value.dynamicRTPPayloadType, events: capability.value.audioTelephoneEvent };
          break;
        default:
          break;
      }
    }
    return {
      empty,
      receiveAudio,
      transmitAudio,
      userInput,
      ...(telephoneEvent ? { telephoneEvent } : {}),
      receiveVideo,
      transmitVideo,
      h264PacketizationModes: this.h264Modes,
    };
  }
}

/** The H.264 packetization modes an H2250Capability lists (H.241 §8.3.2); [0] when none. */
function h264ModesOf(multiplex: H245Types.MultiplexCapability): readonly (0 | 1)[] {
  if (multiplex.tag !== 'h2250Capability') return [0];
  const modes: (0 | 1)[] = [];
  for (const t of multiplex.value.mediaPacketizationCapability.rtpPayloadType ?? []) {
    if (t.payloadDescriptor.tag !== 'oid') continue;
    if (t.payloadDescriptor.value === H241_SINGLE_NAL_OID && !modes.includes(0)) modes.push(0);
    if (t.payloadDescriptor.value === H241_NON_INTERLEAVED_OID && !modes.includes(1)) modes.push(1);
  }
  return modes.length > 0 ? modes : [0];
}

/** The codec and packet duration for a channel we open. */
export interface TransmitChoice {
  readonly codec: AudioCodecName;
  /** ms of audio per packet: our preference, capped by what the remote takes. */
  readonly framesPerPacket: number;
}

/**
 * Chooses the codec of our outgoing audio channel (H.245 §5.3, H.323 §8.3.1): the first codec in the remote's
 * receive preference order that we also support, or undefined when there is none.
 */
export function chooseTransmitCodec(local: LocalCapabilities, remote: RemoteCapabilities): TransmitChoice | undefined {
  const wanted = local.framesPerPacket ?? DEFAULT_FRAMES_PER_PACKET;
  const match = remote.receiveAudio.find((c) => local.audio.includes(c.codec));
  if (!match) return undefined;
  return { codec: match.codec, framesPerPacket: Math.max(1, Math.min(wanted, match.maxFramesPerPacket)) };
}
