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
export { UnsupportedCodecError } from './errors';
export { MediaEngine } from './media-engine';
export type { MediaEngineOptions, MediaEngineEvents, LegAllocation, OpusBindingFactory } from './media-engine';
export type { AudioLegParams, AudioCodecName, MediaDirection } from './audio/audio-leg-params';
export type { AudioLegStats } from './audio/audio-leg';
export type { MediaLogger } from './media-logger';
export { RoomAudio, ROOM_FRAME_MS } from './audio/room-audio';
export type { RoomAudioEvents, RoomAudioOptions, RoomAudioTickStats } from './audio/room-audio';
export { RtpEndpoint } from './rtp/rtp-endpoint';
export type { RtpEndpointOptions, RtpEndpointStats, OutgoingRtpHeader } from './rtp/rtp-endpoint';
export { RtpLatch, isPubliclyRoutable } from './rtp/rtp-latch';
export type { TransportAddress, NegotiatedTransport, LatchState } from './rtp/rtp-latch';
export { TelephoneEvent, dtmfDigitOf, dtmfEventOf } from './rtp/telephone-event';
export { ActiveSpeakerDetector } from './audio/active-speaker';
export type { ActiveSpeakerOptions } from './audio/active-speaker';

// Video: payload formats, layouts, key frame control and the ffmpeg pipeline's building blocks.
export { FfmpegNotFoundError, FfmpegProbeError } from './video/video-errors';
export type { FfmpegCandidateFailure } from './video/video-errors';
export { FfmpegLocator, parseCodecList, parseFilterList } from './video/ffmpeg-locator';
export type { FfmpegCapabilities, FfmpegLocatorOptions, FfmpegSource, LocatedFfmpeg } from './video/ffmpeg-locator';
export { computeLayout, gridShape, layoutKey, LAYOUT_NAMES, MAX_GRID_TILES, MAX_SPEAKER_THUMBNAILS } from './video/layout';
export type { LayoutName, LayoutParticipant, LayoutRequest, Tile } from './video/layout';
export { DEFAULT_MAX_PAYLOAD_OCTETS } from './video/video-frame';
export type { DepacketizeResult, DepacketizerStats, EncodedVideoFrame, RtpPayloadChunk } from './video/video-frame';
export { FrameAssembler } from './video/frame-assembler';
export type { PayloadAssembler } from './video/frame-assembler';
export {
  ANNEX_B_ACCESS_UNIT_DELIMITER,
  ANNEX_B_START_CODE,
  NalUnitType,
  joinAnnexB,
  nalUnitType,
  splitAnnexB,
  withTrailingDelimiter,
} from './video/h264-nal-unit';
export {
  CONSTRAINED_BASELINE_3_1,
  formatProfileLevelId,
  formatSpropParameterSets,
  isConstrainedBaseline,
  parseProfileLevelId,
  parseSpropParameterSets,
} from './video/h264-parameters';
export type { H264ParameterSets, H264Profile, ProfileLevelId } from './video/h264-parameters';
export { H264Depacketizer, H264Packetizer, buildFuA, buildStapA, parseStapA, FU_A, STAP_A } from './video/rtp-h264';
export type { H264DepacketizerOptions, H264PacketizationMode, H264PacketizerOptions } from './video/rtp-h264';
export {
  Vp8Depacketizer,
  Vp8Packetizer,
  parseVp8FrameInfo,
  parseVp8PayloadDescriptor,
  serializeVp8PayloadDescriptor,
} from './video/rtp-vp8';
export type { Vp8FrameInfo, Vp8PacketizerOptions, Vp8PayloadDescriptor } from './video/rtp-vp8';
export { H263_SOURCE_FORMATS, findH263StartCodes, isPictureStartCode, parseH263PictureHeader } from './video/h263-picture-header';
export type { H263PictureHeader } from './video/h263-picture-header';
export { H263Depacketizer, H263Packetizer, parseH263PayloadHeader, serializeH263PayloadHeader } from './video/rtp-h263';
export type { H263PacketizerOptions, H263PayloadHeader } from './video/rtp-h263';
export { Rfc2190Depacketizer, Rfc2190Packetizer, parseRfc2190Header, serializeRfc2190ModeA } from './video/rtp-h263-rfc2190';
export type { Rfc2190Header, Rfc2190Mode, Rfc2190ModeAFields } from './video/rtp-h263-rfc2190';
export { IvfReader, serializeIvfFileHeader, serializeIvfFrame } from './video/ivf';
export type { IvfFileHeader, IvfFrame } from './video/ivf';
export { FlvAvcReader } from './video/flv-avc-reader';
export type { FlvAccessUnit } from './video/flv-avc-reader';
export { FMT_FIR, FMT_PLI, RTCP_PSFB, findKeyframeRequests, parseKeyframeRequest, serializeFir, serializePli } from './video/rtcp-feedback';
export type { FirEntry, KeyframeRequest } from './video/rtcp-feedback';
export { KeyframeRequester } from './video/keyframe-requester';
export type { KeyframeRequestAction, KeyframeRequesterOptions, KeyframeRequesterState, KeyframeRequesterStats } from './video/keyframe-requester';
export { KeyframeLimiter } from './video/keyframe-limiter';
export type { KeyframeLimiterOptions, KeyframeLimiterStats } from './video/keyframe-limiter';
export { encoderBitrateBps, PACKET_OVERHEAD_OCTETS } from './video/video-bitrate';
export type { BitrateLimits } from './video/video-bitrate';
export { findFontFile, KNOWN_FONT_PATHS } from './video/font-locator';
export type { FontSearchOptions } from './video/font-locator';
export { compositeFilterGraph, drawtextFilter, escapeFilterValue, labelFontSize, labelText } from './video/filtergraph';
export type { CompositeGraphOptions, DrawtextOptions } from './video/filtergraph';
export { compositeArgs, decoderArgs, encoderArgs, labelArgs, PIPE_FORMAT } from './video/ffmpeg-args';
export type { CompositeArgsOptions, DecoderArgsOptions, EncoderArgsOptions, LabelArgsOptions, VideoCodecName } from './video/ffmpeg-args';
export { rtpInputArgs, rtpInputSdp, RTPMAP_NAMES } from './video/rtp-input-sdp';
export type { RtpInputSdpOptions } from './video/rtp-input-sdp';
export { ToneSource, PIN_PROMPT_TONE } from './audio/tone-source';
export type { TonePrompt } from './audio/tone-source';
export { DEFAULT_ROOM_LAYOUT, PIPELINE_CODEC, VIDEO_PAYLOAD_FORMATS, videoPayloadFormat } from './video/video-leg-params';
export type { RoomLayoutSettings, VideoLegParams, VideoLegStats, VideoPayloadFormat } from './video/video-leg-params';
export {
  H261Depacketizer,
  H261Packetizer,
  H261_HEADER_OCTETS,
  findH261StartCodes,
  isH261IntraPicture,
  parseH261PayloadHeader,
  parseH261PictureHeader,
  serializeH261PayloadHeader,
  splitH261Pictures,
} from './video/rtp-h261';
export type { H261PacketizerOptions, H261PayloadHeader, H261PictureHeader, H261StartCode } from './video/rtp-h261';
export { FfmpegProcess, liveFfmpegChildCount, VideoDecoder, VideoEncoder, codedStreamSplitter, meanYuv, rgbToYuv, solidPicture, yuv420pOctets } from './video/pipeline';
export type { CodedPicture, CodedStreamSplitter, FfmpegExitInfo, FfmpegProcessOptions, FfmpegProcessStats, RawPicture } from './video/pipeline';
export type { VideoDecoderOptions, VideoDecoderStats, VideoEncoderOptions, VideoEncoderStats } from './video/pipeline';
// Video compositor: scaling into tiles, placeholders, slate and name labels.
export { BLACK, blitScaled, copyPicture, createPicture, fillRect, fitRect } from './video/compose/yuv-picture';
export type { Rect, YuvColour } from './video/compose/yuv-picture';
export { LabelRenderer, blendLabel, stripHeight } from './video/compose/label-renderer';
export type { Label, LabelRendererOptions, LabelRendererStats } from './video/compose/label-renderer';
export { Compositor, labelOrigin, PLACEHOLDER_COLOUR, SLATE_COLOUR } from './video/compose/compositor';
export type { ComposeSource, CompositorOptions, CompositorStats } from './video/compose/compositor';
export { VideoRoom, VIDEO_FRAME_RATE, DECODE_WIDTH, DECODE_HEIGHT, ENCODER_GRACE_MS } from './video/room/video-room';
export type { VideoRoomOptions, VideoRoomStats, ViewComposer } from './video/room/video-room';
export { VideoLeg, VIDEO_CLOCK_RATE, checkVideoLegParams, receivesComposite, sendsCamera } from './video/room/video-leg';
export type { CheckedVideoLegParams, VideoLegOptions, VideoLegCounters } from './video/room/video-leg';
export { VideoRtpSender } from './video/room/video-rtp-sender';
export type { VideoRtpSenderFormat, VideoRtpSenderOptions, VideoRtpSenderStats } from './video/room/video-rtp-sender';
export { createDepacketizer, createPacketizer } from './video/room/payload-formats';
export type { PacketizerOptions, VideoDepacketizer, VideoPacketizer } from './video/room/payload-formats';
