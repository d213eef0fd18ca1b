/**
 * Our capabilities and the TerminalCapabilitySet that announces them (H.245 §5.2 and Annex B.2 capability exchange,
 * Annex B.2 TerminalCapabilitySet; H.323 §6.2.8 for what an H.323 entity shall announce).
 *
 * The set mirrors what deployed H323Plus endpoints send (see the reference captures): an H2250Capability with
 * maximumAudioDelayJitter and all multipoint capabilities false, one capability table entry per audio codec
 * (receive, then transmit), the user input capabilities, and one capability descriptor whose alternative
 * capability sets list the audio codecs in preference order.
 */
import type { H245Types } from '../asn1/generated';
import { H241_NON_INTERLEAVED_OID, H241_SINGLE_NAL_OID, videoCapability, type VideoCapabilityDescription } from './video-capabilities';

/** The audio codecs this MCU mixes: the H.245 AudioCapability alternatives of the same name. */
export type AudioCodecName = 'g711Ulaw64k' | 'g711Alaw64k' | 'g722-64k';

/** Every supported codec, in the default preference order. */
export const AUDIO_CODECS: readonly AudioCodecName[] = ['g711Ulaw64k', 'g711Alaw64k', 'g722-64k'];

/** RTP static payload type and RTP clock rate (Hz) of each codec (RFC 3551 §6; G.722's RTP clock is 8000 Hz). */
export const AUDIO_CODEC_RTP: Readonly<Record<AudioCodecName, { readonly payloadType: number; readonly clockRate: number }>> = {
  g711Ulaw64k: { payloadType: 0, clockRate: 8000 },
  g711Alaw64k: { payloadType: 8, clockRate: 8000 },
  'g722-64k': { payloadType: 9, clockRate: 8000 },
};

/** Whether `tag` names one of {@link AUDIO_CODECS}. */
export function isAudioCodecName(tag: string): tag is AudioCodecName {
  return (AUDIO_CODECS as readonly string[]).includes(tag);
}

/** The H.245 protocol identifier we announce (version 15, as H323Plus 1.28 does). */
export const H245_PROTOCOL_IDENTIFIER = '0.0.8.245.0.15';

/** What we announce in our TerminalCapabilitySet. */
export interface LocalCapabilities {
  /** Audio codecs in preference order; at least one. */
  readonly audio: readonly AudioCodecName[];
  /**
   * maxAl-sduAudioFrames we can receive: ms of audio per packet (one G.711/G.722 "frame" is 1 ms in H.323 use);
   * default 30 (the mixer accepts 10–40 ms packets).
   */
  readonly maxFramesPerPacket?: number;
  /** ms of audio per packet in the channels we open; default 20. */
  readonly framesPerPacket?: number;
  /** Also list transmitAudioCapability entries (H.245 Annex B.2.2: what we can send); default true. */
  readonly transmitCapabilities?: boolean;
  /** Announce receiveUserInputCapability basicString, dtmf and hookflash (UserInputIndication); default true. */
  readonly userInput?: boolean;
  /** RTP payload type of RFC 4733 telephone events we receive (receiveRTPAudioTelephonyEventCapability), if any. */
  readonly telephoneEventPayloadType?: number;
  /** maximumAudioDelayJitter (ms, 0..1023) of the H2250Capability; default 250. */
  readonly maximumAudioDelayJitter?: number;
  /**
   * Video codecs we receive and send, in preference order (H.245 §6.2.8; H.241 for H.264); none: audio only.
   * Announced as receiveVideoCapability and transmitVideoCapability alternatives in their own simultaneous
   * capability sets, beside audio.
   */
  readonly video?: readonly VideoCapabilityDescription[];
  /**
   * H.264 RTP packetization modes we receive (H.241 §8.3.2, announced in mediaPacketizationCapability); default
   * [0] (single NAL unit, the H.323 default). The first one is also the mode of the H.264 channels we open.
   */
  readonly h264PacketizationModes?: readonly (0 | 1)[];
}

/** Default per-packet durations (ms). */
export const DEFAULT_MAX_FRAMES_PER_PACKET = 30;
export const DEFAULT_FRAMES_PER_PACKET = 20;

/** A MultipointCapability with everything false (we mix centrally, as a terminal-facing MCU, H.323 §6.2.8.1). */
function noMultipoint(): H245Types.MultipointCapability {
  return {
    multicastCapability: false,
    multiUniCastConference: false,
    mediaDistributionCapability: [
      { centralizedControl: false, distributedControl: false, centralizedAudio: false, distributedAudio: false, centralizedVideo: false, distributedVideo: false },
    ],
  };
}

/**
 * The H2250Capability of our TCS (H.245 Annex B.2.2.4, H2250Capability).
 * @param h264Modes H.264 packetization modes to list in mediaPacketizationCapability (H.241 §8.3.2), if any
 */
export function h2250Capability(maximumAudioDelayJitter = 250, h264Modes: readonly (0 | 1)[] = []): H245Types.MultiplexCapability {
  const rtpPayloadType: H245Types.RTPPayloadType[] = h264Modes.map((mode) => ({
    payloadDescriptor: { tag: 'oid', value: mode === 1 ? H241_NON_INTERLEAVED_OID : H241_SINGLE_NAL_OID },
  }));
  return {
    tag: 'h2250Capability',
    value: {
      maximumAudioDelayJitter,
      receiveMultipointCapability: noMultipoint(),
      transmitMultipointCapability: noMultipoint(),
      receiveAndTransmitMultipointCapability: noMultipoint(),
      mcCapability: { centralizedConferenceMC: false, decentralizedConferenceMC: false },
      rtcpVideoControlCapability: false,
      mediaPacketizationCapability: { h261aVideoPacketization: false, ...(rtpPayloadType.length > 0 ? { rtpPayloadType } : {}) },
      logicalChannelSwitchingCapability: false,
      t120DynamicPortCapability: false,
    },
  };
}

/** The AudioCapability value of `codec` with `frames` ms per packet. */
export function audioCapability(codec: AudioCodecName, frames: number): H245Types.AudioCapability {
  return { tag: codec, value: frames } as H245Types.AudioCapability;
}

/**
 * Builds our TerminalCapabilitySet (H.245 Annex B.2.2).
 * @param sequenceNumber 0..255, set by the outgoing capability exchange entity (§5.2)
 * @throws RangeError when `caps.audio` is empty or names a codec twice, or `caps.video` names a codec twice or
 *   has an invalid description.
 */
export function buildTerminalCapabilitySet(caps: LocalCapabilities, sequenceNumber: number): H245Types.TerminalCapabilitySet {
  if (caps.audio.length === 0) throw new RangeError('LocalCapabilities.audio must list at least one codec');
  if (new Set(caps.audio).size !== caps.audio.length) throw new RangeError('LocalCapabilities.audio names a codec twice');
  const video = caps.video ?? [];
  if (new Set(video.map((v) => v.codec)).size !== video.length) throw new RangeError('LocalCapabilities.video names a codec twice');
  const frames = caps.maxFramesPerPacket ?? DEFAULT_MAX_FRAMES_PER_PACKET;
  const table: H245Types.CapabilityTableEntry[] = [];
  const simultaneous: H245Types.AlternativeCapabilitySet[] = [];
  const add = (capability: H245Types.Capability): number => {
    const capabilityTableEntryNumber = table.length + 1;
    table.push({ capabilityTableEntryNumber, capability });
    return capabilityTableEntryNumber;
  };
  simultaneous.push(caps.audio.map((codec) => add({ tag: 'receiveAudioCapability', value: audioCapability(codec, frames) })));
  if (caps.transmitCapabilities ?? true) {
    const tx = caps.framesPerPacket ?? DEFAULT_FRAMES_PER_PACKET;
    simultaneous.push(caps.audio.map((codec) => add({ tag: 'transmitAudioCapability', value: audioCapability(codec, tx) })));
  }
  if (video.length > 0) {
    const encoded = video.map((v) => videoCapability(v));
    simultaneous.push(encoded.map((value) => add({ tag: 'receiveVideoCapability', value })));
    if (caps.transmitCapabilities ?? true) simultaneous.push(encoded.map((value) => add({ tag: 'transmitVideoCapability', value })));
  }
  if (caps.userInput ?? true) {
    simultaneous.push([add({ tag: 'receiveUserInputCapability', value: { tag: 'hookflash', value: null } })]);
    const ui = [
      add({ tag: 'receiveUserInputCapability', value: { tag: 'basicString', value: null } }),
      add({ tag: 'receiveUserInputCapability', value: { tag: 'dtmf', value: null } }),
    ];
    if (caps.telephoneEventPayloadType !== undefined) {
      ui.push(add({ tag: 'receiveRTPAudioTelephonyEventCapability', value: { dynamicRTPPayloadType: caps.telephoneEventPayloadType, audioTelephoneEvent: '0-15' } }));
    }
    simultaneous.push(ui);
  }
  return {
    sequenceNumber,
    protocolIdentifier: H245_PROTOCOL_IDENTIFIER,
    multiplexCapability: h2250Capability(
      caps.maximumAudioDelayJitter ?? 250,
      video.some((v) => v.codec === 'h264') ? (caps.h264PacketizationModes ?? [0]) : [],
    ),
    capabilityTable: table,
    capabilityDescriptors: [{ capabilityDescriptorNumber: 1, simultaneousCapabilities: simultaneous }],
  };
}
