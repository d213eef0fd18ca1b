/**
 * Public surface of the media-mixer library (`@mcu/media-mixer`): RTP/RTCP endpoints, codecs and
 * the mix-minus audio mixer. Nothing else in this folder may be imported from outside.
 */
export { MediaMixerError, PortRangeExhaustedError, CodecError, InvalidArgumentError } from './errors';
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
