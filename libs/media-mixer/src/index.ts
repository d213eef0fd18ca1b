/**
 * Public surface of the media-mixer library (`@mcu/media-mixer`): RTP/RTCP endpoints, codecs and
 * the mix-minus audio mixer. Nothing else in this folder may be imported from outside.
 */
export { MediaMixerError, PortRangeExhaustedError, CodecError, InvalidArgumentError } from './errors';
export { PortAllocator } from './rtp/port-allocator';
export type { PortAllocatorOptions, RtpPortPair } from './rtp/port-allocator';
