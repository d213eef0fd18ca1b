/**
 * The picture size a key frame announces in its own headers, read without a decoder:
 *
 *   h264   first SPS (nal_unit_type 7) of an Annex B access unit (ITU-T H.264 §7.3.2.1.1, VUI §E.1.1)
 *   vp8    key frame header (RFC 6386 §9.1): frame tag (3) | 9d 01 2a | width (2, LE) | height (2, LE)
 *   h263   picture header (ITU-T H.263 §5.1), incl. PLUSPTYPE and CPFMT/EPAR (§5.1.4, §5.1.5, §5.1.6)
 *   h261   picture header (ITU-T H.261 §4.2.1): PSC (20) | TR (5) | PTYPE (6)
 */
import type { VideoCodecName } from './ffmpeg-args';
import { H263_SOURCE_FORMATS, parseH263PictureHeader } from './h263-picture-header';
import { NalUnitType, nalUnitType, splitAnnexB } from './h264-nal-unit';

/** Size of a coded picture as its key frame announces it. */
export interface CodedPictureSize {
  /** Picture size in pixels after cropping (H.264 frame cropping applied). */
  readonly width: number;
  readonly height: number;
  /** Display aspect ratio, width/height, with the sample (pixel) aspect ratio applied (1:1 when unstated). */
  readonly displayAspect: number;
}

/**
 * Reads the picture size from one coded picture as the MCU feeds it to ffmpeg's decoder:
 * h264 an Annex B access unit (size from its first SPS, H.264 §7.3.2.1.1 with cropping §7.4.2.1.1
 * and sample aspect ratio Table E-1); vp8 a raw frame (RFC 6386 §9.1, inter frames give undefined);
 * h263/h263p one picture starting with its PSC (H.263 §5.1.3–§5.1.6, non-INTRA pictures give
 * undefined; standard formats have pixel aspect 12:11); h261 one picture (H.261 §4.2.1, QCIF 176x144
 * or CIF 352x288, pixel aspect 12:11), its PSC at any bit offset within the first 8 octets.
 * Never throws: undefined when the frame is not a key frame header it can read, or is malformed/truncated.
 */
export function codedPictureSize(codec: VideoCodecName, frame: Buffer): CodedPictureSize | undefined {
  try {
    switch (codec) {
      case 'h264':
        return h264Size(frame);
      case 'vp8':
        return vp8Size(frame);
      case 'h263':
      case 'h263p':
        return h263Size(frame);
      case 'h261':
        return h261Size(frame);
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Largest width or height accepted; anything larger is taken for a malformed header. */
const MAX_DIMENSION = 1 << 16;

function sized(width: number, height: number, sarWidth = 1, sarHeight = 1): CodedPictureSize | undefined {
  if (!(width > 0 && height > 0 && width <= MAX_DIMENSION && height <= MAX_DIMENSION)) return undefined;
  if (!(sarWidth > 0 && sarHeight > 0)) [sarWidth, sarHeight] = [1, 1];
  return { width, height, displayAspect: (width * sarWidth) / (height * sarHeight) };
}

/** Thrown by `BitReader` past the end of its data; caught by `codedPictureSize`. */
class OutOfBits extends Error {}

/** Big-endian bit reader with Exp-Golomb codes (H.264 §9.1); throws `OutOfBits` past the end. */
class BitReader {
  constructor(
    private readonly data: Buffer,
    public position = 0,
  ) {}

  /** u(n), n ≤ 32. */
  read(count: number): number {
    if (this.position + count > this.data.length * 8) throw new OutOfBits();
    let value = 0;
    for (let i = 0; i < count; i++, this.position++) {
      value = value * 2 + ((this.data[this.position >> 3] >> (7 - (this.position & 7))) & 1);
    }
    return value;
  }

  /** ue(v): leading zeros (at most 31), a 1 bit, then as many bits (H.264 §9.1). */
  ue(): number {
    let zeros = 0;
    while (this.read(1) === 0) if (++zeros > 31) throw new OutOfBits();
    return 2 ** zeros - 1 + this.read(zeros);
  }

  /** se(v): ue mapped to 0, 1, −1, 2, −2, … (H.264 §9.1.1). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

/** SPS → RBSP: drops each emulation_prevention_three_byte (0x03 after 0x00 0x00, H.264 §7.4.1). */
function unescapeRbsp(nal: Buffer): Buffer {
  const out = Buffer.alloc(nal.length);
  let length = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[length++] = byte;
  }
  return out.subarray(0, length);
}

/** profile_idc values whose SPS carries chroma_format_idc … scaling matrices (H.264 §7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Sample aspect ratios of aspect_ratio_idc 1..16 (H.264 Table E-1); 255 is Extended_SAR. */
const H264_SAR: readonly (readonly [number, number])[] = [
  [1, 1], [1, 1], [12, 11], [10, 11], [16, 11], [40, 33], [24, 11], [20, 11], [32, 11],
  [80, 33], [18, 11], [15, 11], [64, 33], [160, 99], [4, 3], [3, 2], [2, 1],
];

function h264Size(accessUnit: Buffer): CodedPictureSize | undefined {
  const sps = splitAnnexB(accessUnit).find((nal) => nalUnitType(nal) === NalUnitType.Sps);
  if (sps === undefined) return undefined;
  const bits = new BitReader(unescapeRbsp(sps), 8); // past the NAL unit header
  const profileIdc = bits.read(8);
  bits.read(16); // constraint_set0..5_flag, reserved_zero_2bits, level_idc
  bits.ue(); // seq_parameter_set_id
  let chromaFormatIdc = 1;
  let separateColourPlane = 0;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = bits.ue();
    if (chromaFormatIdc > 3) return undefined;
    if (chromaFormatIdc === 3) separateColourPlane = bits.read(1);
    bits.ue(); // bit_depth_luma_minus8
    bits.ue(); // bit_depth_chroma_minus8
    bits.read(1); // qpprime_y_zero_transform_bypass_flag
    if (bits.read(1) === 1) {
      // seq_scaling_matrix_present_flag: seq_scaling_list_present_flag[i] and scaling_list() (§7.3.2.1.1.1)
      for (let i = 0; i < (chromaFormatIdc !== 3 ? 8 : 12); i++) {
        if (bits.read(1) === 1) skipScalingList(bits, i < 6 ? 16 : 64);
      }
    }
  }
  bits.ue(); // log2_max_frame_num_minus4
  const picOrderCntType = bits.ue();
  if (picOrderCntType === 0) {
    bits.ue(); // log2_max_pic_order_cnt_lsb_minus4
  } else if (picOrderCntType === 1) {
    bits.read(1); // delta_pic_order_always_zero_flag
    bits.se(); // offset_for_non_ref_pic
    bits.se(); // offset_for_top_to_bottom_field
    const cycle = bits.ue(); // num_ref_frames_in_pic_order_cnt_cycle, 0..255
    if (cycle > 255) return undefined;
    for (let i = 0; i < cycle; i++) bits.se();
  } else if (picOrderCntType !== 2) {
    return undefined;
  }
  bits.ue(); // max_num_ref_frames
  bits.read(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = bits.ue() + 1;
  const heightInMapUnits = bits.ue() + 1;
  const frameMbsOnly = bits.read(1);
  if (frameMbsOnly === 0) bits.read(1); // mb_adaptive_frame_field_flag
  bits.read(1); // direct_8x8_inference_flag
  const crop = bits.read(1) === 1 ? [bits.ue(), bits.ue(), bits.ue(), bits.ue()] : [0, 0, 0, 0];
  let sar: readonly [number, number] = [1, 1];
  if (bits.read(1) === 1 && bits.read(1) === 1) {
    // vui_parameters_present_flag, aspect_ratio_info_present_flag (§E.1.1)
    const idc = bits.read(8);
    if (idc === 255) sar = [bits.read(16), bits.read(16)];
    else if (idc < H264_SAR.length) sar = H264_SAR[idc];
  }
  // ChromaArrayType, SubWidthC/SubHeightC (Table 6-1) and CropUnitX/CropUnitY (§7.4.2.1.1).
  const chromaArrayType = separateColourPlane === 1 ? 0 : chromaFormatIdc;
  const cropUnitX = chromaArrayType === 0 || chromaArrayType === 3 ? 1 : 2;
  const cropUnitY = (chromaArrayType === 1 ? 2 : 1) * (2 - frameMbsOnly);
  const width = widthInMbs * 16 - cropUnitX * (crop[0] + crop[1]);
  const height = (2 - frameMbsOnly) * heightInMapUnits * 16 - cropUnitY * (crop[2] + crop[3]);
  return sized(width, height, sar[0], sar[1]);
}

/** Skips scaling_list(sizeOfScalingList) (H.264 §7.3.2.1.1.1): delta_scale se(v) until nextScale is 0. */
function skipScalingList(bits: BitReader, size: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < size; j++) {
    if (nextScale !== 0) {
      const deltaScale = bits.se();
      if (deltaScale < -128 || deltaScale > 127) throw new OutOfBits();
      nextScale = (lastScale + deltaScale + 256) % 256;
    }
    lastScale = nextScale === 0 ? lastScale : nextScale;
  }
}

function vp8Size(frame: Buffer): CodedPictureSize | undefined {
  if (frame.length < 10 || (frame[0] & 1) !== 0) return undefined; // key_frame is 0 (RFC 6386 §9.1)
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return sized(frame.readUInt16LE(6) & 0x3fff, frame.readUInt16LE(8) & 0x3fff);
}

/** Pixel aspect ratios of the CPFMT PAR code (H.263 Table 5); 15 is extended PAR (EPAR). */
const H263_PAR: Readonly<Record<number, readonly [number, number]>> = {
  1: [1, 1], 2: [12, 11], 3: [10, 11], 4: [16, 11], 5: [40, 33],
};

function h263Size(picture: Buffer): CodedPictureSize | undefined {
  const header = parseH263PictureHeader(picture);
  if (!header.intra) return undefined;
  const standard = H263_SOURCE_FORMATS[header.sourceFormat];
  if (standard !== undefined) return sized(standard.width, standard.height, 12, 11);
  // 0: no OPPTYPE (size of an earlier picture); 6 without PLUSPTYPE is reserved (H.263 §5.1.3).
  if (header.sourceFormat !== 6 || !header.plusPtype) return undefined;
  // PSC (22) TR (8) PTYPE (8) UFEP (3) OPPTYPE (18) MPPTYPE (9) CPM (1) [PSBI (2)] CPFMT (23) [EPAR (16)]
  const bits = new BitReader(picture, 22 + 8 + 8 + 3 + 18 + 9);
  if (bits.read(1) === 1) bits.read(2); // CPM, PSBI
  const parCode = bits.read(4);
  const width = (bits.read(9) + 1) * 4;
  if (bits.read(1) !== 1) return undefined; // CPFMT bit 14 is 1 (§5.1.5)
  const height = bits.read(9) * 4;
  const par = parCode === 15 ? ([bits.read(8), bits.read(8)] as const) : H263_PAR[parCode] ?? [1, 1];
  return sized(width, height, par[0], par[1]);
}

/** H.261 PSC: 0000 0000 0000 0001 0000 (§4.2.1.1). */
const H261_PSC = 0x00010;

function h261Size(picture: Buffer): CodedPictureSize | undefined {
  for (let offset = 0; offset < 64; offset++) {
    const bits = new BitReader(picture, offset);
    if (offset + 20 + 5 + 6 > picture.length * 8) return undefined;
    if (bits.read(20) !== H261_PSC) continue;
    bits.read(5 + 3); // TR, PTYPE bits 1–3 (split screen, document camera, freeze picture release)
    return bits.read(1) === 1 ? sized(352, 288, 12, 11) : sized(176, 144, 12, 11); // PTYPE bit 4
  }
  return undefined;
}
