/**
 * Splitters that turn an encoder's stdout into whole coded pictures, one per codec framing
 * (docs/video-pipeline.md, "Encoders"): H.264 in FLV (`FlvAvcReader`, converted to Annex B access
 * units with SPS and PPS before every IDR, RFC 6184 §8.4 / H.264 Annex B), VP8 in IVF (`IvfReader`;
 * key frame flag from the VP8 frame tag, RFC 6386 §9.1), H.263 and H.261 raw bitstreams split at
 * byte-aligned picture start codes (H.263 §5.1.1, H.261 §4.2.1.1), which delays each picture until
 * the next one starts.
 */
import { CodecError } from '../../errors';
import type { VideoCodecName } from '../ffmpeg-args';
import { FlvAvcReader } from '../flv-avc-reader';
import { parseH263PictureHeader } from '../h263-picture-header';
import { joinAnnexB, NalUnitType, nalUnitType } from '../h264-nal-unit';
import { IvfReader } from '../ivf';
import { isH261IntraPicture } from '../rtp-h261';

/** One coded picture out of an encoder. */
export interface CodedPicture {
  /** H.264: Annex B access unit; VP8: frame; H.263/H.261: picture from its PSC on. */
  readonly data: Buffer;
  readonly keyframe: boolean;
}

/** Incremental splitter of one encoder's stdout. */
export interface CodedStreamSplitter {
  /**
   * Adds a chunk of the stream.
   * @returns the pictures it completes, in order.
   * @throws CodecError when the stream is not in the expected framing (unusable from then on).
   */
  push(chunk: Buffer): CodedPicture[];
}

/**
 * The splitter for `codec`'s pipe framing (`encoderArgs`). H.261 picture headers do not say whether
 * a picture is INTRA: pictures 0, k, 2k… (`keyframeIntervalFrames`, ffmpeg's `-g`) are, and so is any
 * picture whose macroblocks are all INTRA (`isH261IntraPicture`).
 */
export function codedStreamSplitter(codec: VideoCodecName, keyframeIntervalFrames: number): CodedStreamSplitter {
  switch (codec) {
    case 'h264':
      return new FlvH264Splitter();
    case 'vp8':
      return new IvfVp8Splitter();
    case 'h263':
    case 'h263p':
      return new StartCodeSplitter(isH263Psc, (picture) => {
        try {
          return parseH263PictureHeader(picture).intra;
        } catch {
          return false;
        }
      });
    case 'h261': {
      let index = 0;
      const interval = Math.max(1, keyframeIntervalFrames);
      return new StartCodeSplitter(isH261Psc, (picture) => {
        const counted = index++ % interval === 0;
        try {
          return counted || isH261IntraPicture(picture);
        } catch {
          return counted;
        }
      });
    }
    default:
      throw new CodecError(`Unknown video codec ${String(codec)}`);
  }
}

class FlvH264Splitter implements CodedStreamSplitter {
  private readonly reader = new FlvAvcReader();

  push(chunk: Buffer): CodedPicture[] {
    return this.reader.push(chunk).map((unit) => {
      const units = unit.nalUnits.filter((n) => nalUnitType(n) !== NalUnitType.Aud);
      const idr = units.some((n) => nalUnitType(n) === NalUnitType.Idr);
      return { data: joinAnnexB(units), keyframe: unit.keyframe || idr };
    });
  }
}

class IvfVp8Splitter implements CodedStreamSplitter {
  private readonly reader = new IvfReader();

  push(chunk: Buffer): CodedPicture[] {
    return this.reader
      .push(chunk)
      .filter((f) => f.data.length > 0)
      .map((f) => ({ data: f.data, keyframe: (f.data[0] & 0x01) === 0 }));
  }
}

/** H.263 PSC, byte aligned: 0000 0000 0000 0000 1000 00 (22 bits). */
function isH263Psc(b: Buffer, i: number): boolean {
  return b[i] === 0 && b[i + 1] === 0 && (b[i + 2] & 0xfc) === 0x80;
}

/** H.261 PSC, byte aligned: 0000 0000 0000 0001 0000 (20 bits); GBSCs carry a non-zero GN. */
function isH261Psc(b: Buffer, i: number): boolean {
  return b[i] === 0 && b[i + 1] === 0x01 && (b[i + 2] & 0xf0) === 0;
}

/** Largest picture buffered while waiting for the next start code, octets. */
const MAX_PICTURE_OCTETS = 8 * 1024 * 1024;

class StartCodeSplitter implements CodedStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** Offset in `pending` from which to look for the next PSC (one past the current picture's). */
  private scanFrom = 1;

  constructor(
    private readonly isPsc: (b: Buffer, i: number) => boolean,
    private readonly isKeyframe: (picture: Buffer) => boolean,
  ) {}

  push(chunk: Buffer): CodedPicture[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const pictures: CodedPicture[] = [];
    let start = 0;
    if (!this.isPscAt(0)) {
      // Skip to the first picture start code (nothing before it is decodable).
      const first = this.find(0);
      if (first < 0) {
        this.pending = this.pending.subarray(Math.max(0, this.pending.length - 2));
        return pictures;
      }
      start = first;
      this.scanFrom = first + 1;
    }
    for (;;) {
      const next = this.find(Math.max(this.scanFrom, start + 1));
      if (next < 0) break;
      const picture = Buffer.from(this.pending.subarray(start, next));
      pictures.push({ data: picture, keyframe: this.isKeyframe(picture) });
      start = next;
      this.scanFrom = next + 1;
    }
    this.pending = this.pending.subarray(start);
    this.scanFrom = Math.max(1, this.pending.length - 2, this.scanFrom - start);
    if (this.pending.length > MAX_PICTURE_OCTETS) throw new CodecError(`Coded picture over ${MAX_PICTURE_OCTETS} octets without a start code`);
    return pictures;
  }

  private isPscAt(i: number): boolean {
    return i + 2 < this.pending.length && this.isPsc(this.pending, i);
  }

  private find(from: number): number {
    const b = this.pending;
    for (let i = from; i + 2 < b.length; i++) {
      if (b[i + 1] > 1) {
        i++;
        continue;
      }
      if (this.isPsc(b, i)) return i;
    }
    return -1;
  }
}
