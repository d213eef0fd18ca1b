/**
 * Public surface of the media-mixer library (`@mcu/media-mixer`): RTP/RTCP endpoints, codecs and
 * the mix-minus audio mixer. Nothing else in this folder may be imported from outside.
 */
export { MediaMixerError, PortRangeExhaustedError, CodecError, InvalidArgumentError, PacketFormatError } from './errors';
export { PortAllocator } from './rtp/port-allocator';
export type { PortAllocatorOptions, RtpPortPair } from './rtp/port-allocator';
export type { AudioCodec } from './audio/audio-codec';
export { rtpUnitsToSamples } from './audio/audio-codec';
export { encodeUlaw, decodeUlaw, encodeAlaw, decodeAlaw, ULAW_SILENCE, ALAW_SILENCE } from './audio/g711';
export { PcmuCodec, PcmaCodec } from './audio/g711-codec';
export { PacketLossConcealer } from './audio/packet-loss-concealment';
export { toneAmplitude, rmsLevel, amplitudeDb } from './audio/tone-level';
export { Resampler } from './audio/resampler';
export type { ResamplerOptions } from './audio/resampler';
export { G722Codec, G722Encoder, G722Decoder } from './audio/g722';
export { ExtendedCounter } from './rtp/extended-counter';
export { JitterBuffer } from './rtp/jitter-buffer';
export type {
  JitterBufferEvent,
  JitterBufferOptions,
  JitterBufferPacket,
  JitterBufferPushResult,
  JitterBufferStats,
} from './rtp/jitter-buffer';
export { ntpFromUnixMs, ntpCompact, msToCompact, compactToMs } from './rtp/ntp-time';
export { RtcpByePacket } from './rtp/rtcp-bye';
export { parseCompoundRtcp, serializeCompoundRtcp, cnameDescription, findCname, SDES_CNAME } from './rtp/rtcp-compound';
export type { RtcpCompound, OutgoingRtcpPacket } from './rtp/rtcp-compound';
export { rtcpIntervalMs } from './rtp/rtcp-interval';
export type { RtcpIntervalInput } from './rtp/rtcp-interval';
export { ReceiverStatistics } from './rtp/receiver-statistics';
export type { SequenceVerdict } from './rtp/receiver-statistics';
export { RtcpReporter } from './rtp/rtcp-reporter';
export type { RtcpReporterOptions, RtpLegStatistics, RemoteReceptionReport, ReceivedRtp } from './rtp/rtcp-reporter';
export { readRtpPacket, isRtcpDatagram } from './rtp/rtp-packet-reader';
export { AudioMixer, MIXER_SAMPLE_RATE } from './audio/audio-mixer';
export type { AudioMixerOptions } from './audio/audio-mixer';
export { softClip, DEFAULT_KNEE } from './audio/soft-clipper';
export { FrameClock } from './audio/frame-clock';
export type { FrameClockOptions, FrameTick, TimerScheduler } from './audio/frame-clock';
export { readOpusPacket } from './audio/opus-packet';
export type { OpusPacketInfo } from './audio/opus-packet';
export { OpusCodec } from './audio/opus-codec';
export type { OpusBinding } from './audio/opus-codec';
export { createAudioCodec, STATIC_AUDIO_PAYLOAD_TYPES } from './audio/codec-registry';
export type { AudioCodecFactoryOptions } from './audio/codec-registry';
