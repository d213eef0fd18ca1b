/** The video pipeline's processes: supervised ffmpeg children, per-sender decoders, per-output encoders. */
export { FfmpegProcess, liveFfmpegChildCount } from './ffmpeg-process';
export type { FfmpegExitInfo, FfmpegProcessOptions, FfmpegProcessStats } from './ffmpeg-process';
export { meanYuv, rgbToYuv, solidPicture, yuv420pOctets } from './raw-picture';
export type { RawPicture } from './raw-picture';
export { VideoDecoder } from './video-decoder';
export type { VideoDecoderOptions, VideoDecoderStats } from './video-decoder';
export { VideoEncoder } from './video-encoder';
export type { VideoEncoderOptions, VideoEncoderStats } from './video-encoder';
export { codedStreamSplitter } from './coded-stream-splitter';
export type { CodedPicture, CodedStreamSplitter } from './coded-stream-splitter';
