/**
 * H.245 multimedia system control for H.323 (H.245 clause 5 and Annex C procedures, H.323 §8.1.7 Fast Connect): the public surface of
 * this folder, re-exported by the library entry.
 */
export { H245Session, MCU_TERMINAL_TYPE, kindOf, type H245SessionOptions } from './h245-session';
export type {
  ChannelClosed,
  ChannelEstablished,
  H245ProtocolError,
  H245SessionEvents,
  OpenChannelRequest,
  OpenVideoChannelRequest,
  VideoChannelEstablished,
  VideoChannelMedia,
} from './h245-events';
export {
  VIDEO_CODECS,
  H241_H264_CAPABILITY_OID,
  H241_SINGLE_NAL_OID,
  H241_NON_INTERLEAVED_OID,
  H241_PROFILE_BASELINE,
  H263_STATIC_PAYLOAD_TYPE,
  chooseTransmitVideo,
  h263PictureSize,
  intersectVideo,
  parseVideoCapability,
  profileLevelIdOf,
  videoCapability,
  type VideoCapabilityDescription,
  type VideoCodecName,
} from './video-capabilities';
export {
  AUDIO_CODECS,
  AUDIO_CODEC_RTP,
  H245_PROTOCOL_IDENTIFIER,
  buildTerminalCapabilitySet,
  isAudioCodecName,
  type AudioCodecName,
  type LocalCapabilities,
} from './capabilities';
export {
  RemoteCapabilityTable,
  chooseTransmitCodec,
  type RemoteAudioCapability,
  type RemoteCapabilities,
  type TcsRejectCause,
  type TransmitChoice,
} from './remote-capabilities';
export {
  AUDIO_SESSION_ID,
  VIDEO_SESSION_ID,
  buildAudioOlc,
  buildVideoOlc,
  videoPayloadTypeOf,
  type VideoOlcParameters,
  type VideoRtpFormat,
  buildOlcAck,
  parseOlc,
  parseOlcAck,
  type AudioOlcParameters,
  type ParsedChannelParameters,
  type ParsedOlc,
} from './open-logical-channel';
export {
  buildFastStartOlc,
  buildOlcForFastStartAnswer,
  buildFastStartVideoOlc,
  buildVideoOlcForFastStartAnswer,
  chooseFastStartProposals,
  chooseFastStartVideo,
  type ChosenFastStartVideo,
  type ChosenFastStartProposal,
  type FastStartChoice,
  type FastStartProposalParameters,
} from './fast-start';
export { fromTransportAddress, toTransportAddress, type MediaAddress } from './media-address';
export { DEFAULT_H245_TIMERS, h245Timers, systemH245Clock, type H245Clock, type H245TimerHandle, type H245Timers } from './timers';
export { silentH245Logger, type H245Logger } from './h245-logger';
export { isDtmfDigit, parseUserInput, buildUserInput, type DtmfDigit, type UserInputEvent } from './user-input';
export type { ChannelReleaseReason, OlcRejectCause } from './logical-channel';
export { determineStatus, type MsdStatus } from './master-slave';
