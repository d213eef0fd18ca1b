/**
 * Reads H.264 access units from an FLV stream (Adobe FLV and F4V specification v10.1, Annex E),
 * the framing the MCU asks ffmpeg to write H.264 encoder output in: each FLV tag holds one whole
 * access unit, so a picture can be sent the moment its tag is in, instead of waiting for the next
 * picture's start code as a raw Annex B stream would require.
 *
 *   FLV header: 'F' 'L' 'V' | version (1) | flags (1) | DataOffset (UI32, 9) ; PreviousTagSize0 (UI32)
 *   Tag:  TagType (UI8; 9 = video) | DataSize (UI24) | Timestamp (UI24) | TimestampExtended (UI8)
 *         | StreamID (UI24) | Data (DataSize octets) ; PreviousTagSize (UI32)
 *   AVC video data: FrameType (4 bits; 1 = key frame) | CodecID (4 bits; 7 = AVC)
 *         | AVCPacketType (UI8; 0 = sequence header, 1 = NALUs, 2 = end of sequence)
 *         | CompositionTime (SI24) | body
 *   Sequence header body: AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.2.4.1):
 *         version | profile | compatibility | level | 111111 lengthSizeMinusOne (2)
 *         | 111 numOfSequenceParameterSets (5) | { UI16 length, SPS }… | UI8 numOfPictureParameterSets
 *         | { UI16 length, PPS }…
 *   NALU body: { length (lengthSizeMinusOne + 1 octets), NAL unit }…
 */
import { CodecError } from '../errors';
import { NalUnitType, nalUnitType } from './h264-nal-unit';
import type { H264ParameterSets } from './h264-parameters';

const FLV_HEADER_OCTETS = 9;
const TAG_HEADER_OCTETS = 11;
const PREVIOUS_TAG_SIZE_OCTETS = 4;
const TAG_VIDEO = 9;
const CODEC_AVC = 7;
/** Largest tag accepted, in octets (a corrupt size must not make us buffer forever). */
const MAX_TAG_OCTETS = 16 * 1024 * 1024;

/** One H.264 access unit from the stream. */
export interface FlvAccessUnit {
  /** NAL units (headers included, no start codes); key frames carry SPS and PPS. */
  readonly nalUnits: Buffer[];
  /** The tag is flagged as a key frame (an IDR access unit). */
  readonly keyframe: boolean;
  /** Decoding timestamp in ms. */
  readonly timestampMs: number;
}

/**
 * Incremental FLV reader for one AVC video stream; audio and script tags are skipped. The SPS and
 * PPS of the sequence header are put in front of every key frame that lacks them, so that each
 * key frame can be decoded on its own.
 */
export class FlvAvcReader {
  private pending: Buffer = Buffer.alloc(0);
  private headerRead = false;
  private lengthSize = 4;
  private sets: H264ParameterSets = { sps: [], pps: [] };

  /** Parameter sets of the latest sequence header. */
  get parameterSets(): H264ParameterSets {
    return this.sets;
  }

  /**
   * Adds a chunk of the stream.
   * @returns access units completed by it, in order.
   * @throws CodecError when the stream is not FLV, a tag is absurdly large, or an AVC body is
   *   malformed (the stream is unusable from then on).
   */
  push(chunk: Buffer): FlvAccessUnit[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const units: FlvAccessUnit[] = [];
    let offset = 0;
    if (!this.headerRead) {
      if (this.pending.length < FLV_HEADER_OCTETS) return units;
      if (this.pending.toString('latin1', 0, 3) !== 'FLV') throw new CodecError('stream does not start with an FLV header');
      const dataOffset = this.pending.readUInt32BE(5);
      if (dataOffset < FLV_HEADER_OCTETS || dataOffset > 1024) throw new CodecError(`FLV DataOffset ${dataOffset}`);
      if (this.pending.length < dataOffset + PREVIOUS_TAG_SIZE_OCTETS) return units;
      offset = dataOffset + PREVIOUS_TAG_SIZE_OCTETS;
      this.headerRead = true;
    }
    while (this.pending.length - offset >= TAG_HEADER_OCTETS) {
      const tagType = this.pending[offset] & 0x1f;
      const dataSize = this.pending.readUIntBE(offset + 1, 3);
      if (dataSize > MAX_TAG_OCTETS) throw new CodecError(`FLV tag of ${dataSize} octets`);
      const end = offset + TAG_HEADER_OCTETS + dataSize + PREVIOUS_TAG_SIZE_OCTETS;
      if (end > this.pending.length) break;
      const timestampMs = (this.pending[offset + 7] * 0x1000000 + this.pending.readUIntBE(offset + 4, 3)) >>> 0;
      const data = this.pending.subarray(offset + TAG_HEADER_OCTETS, offset + TAG_HEADER_OCTETS + dataSize);
      if (tagType === TAG_VIDEO) {
        const unit = this.readVideoTag(data, timestampMs);
        if (unit) units.push(unit);
      }
      offset = end;
    }
    this.pending = Buffer.from(this.pending.subarray(offset));
    return units;
  }

  private readVideoTag(data: Buffer, timestampMs: number): FlvAccessUnit | undefined {
    if (data.length < 5) throw new CodecError(`FLV video tag of ${data.length} octets`);
    if ((data[0] & 0x0f) !== CODEC_AVC) throw new CodecError(`FLV video codec ${data[0] & 0x0f} is not AVC`);
    const keyframe = data[0] >> 4 === 1;
    const packetType = data[1];
    const body = data.subarray(5);
    if (packetType === 0) {
      this.readConfigurationRecord(body);
      return undefined;
    }
    if (packetType !== 1) return undefined; // end of sequence
    const nalUnits = this.readNalUnits(body);
    if (keyframe) this.prependParameterSets(nalUnits);
    return nalUnits.length > 0 ? { nalUnits, keyframe, timestampMs } : undefined;
  }

  private readConfigurationRecord(record: Buffer): void {
    let offset = 0;
    const need = (octets: number): void => {
      if (offset + octets > record.length) throw new CodecError('AVCDecoderConfigurationRecord truncated');
    };
    need(6);
    if (record[0] !== 1) throw new CodecError(`AVCDecoderConfigurationRecord version ${record[0]}`);
    this.lengthSize = (record[4] & 0x03) + 1;
    if (this.lengthSize === 3) throw new CodecError('AVC NAL unit length size of 3 octets');
    const spsCount = record[5] & 0x1f;
    offset = 6;
    const readSets = (count: number): Buffer[] => {
      const sets: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        need(2);
        const length = record.readUInt16BE(offset);
        offset += 2;
        need(length);
        sets.push(Buffer.from(record.subarray(offset, offset + length)));
        offset += length;
      }
      return sets;
    };
    const sps = readSets(spsCount);
    need(1);
    const ppsCount = record[offset++];
    const pps = readSets(ppsCount);
    this.sets = { sps, pps };
  }

  private readNalUnits(body: Buffer): Buffer[] {
    const units: Buffer[] = [];
    let offset = 0;
    while (offset < body.length) {
      if (offset + this.lengthSize > body.length) throw new CodecError('AVC NAL unit length truncated');
      const length = body.readUIntBE(offset, this.lengthSize);
      offset += this.lengthSize;
      if (offset + length > body.length) throw new CodecError(`AVC NAL unit of ${length} octets overruns its tag`);
      if (length > 0) units.push(Buffer.from(body.subarray(offset, offset + length)));
      offset += length;
    }
    return units;
  }

  private prependParameterSets(units: Buffer[]): void {
    const hasSps = units.some((n) => nalUnitType(n) === NalUnitType.Sps);
    const hasPps = units.some((n) => nalUnitType(n) === NalUnitType.Pps);
    units.unshift(...(hasSps ? [] : this.sets.sps), ...(hasPps ? [] : this.sets.pps));
  }
}
