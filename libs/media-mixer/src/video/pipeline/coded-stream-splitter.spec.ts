import { spawnSync } from 'node:child_process';
import { CodecError } from '../../errors';
import { encoderArgs, VideoCodecName } from '../ffmpeg-args';
import { NalUnitType, nalUnitType, splitAnnexB } from '../h264-nal-unit';
import { CodedPicture, codedStreamSplitter } from './coded-stream-splitter';

const FFMPEG = '/usr/bin/ffmpeg';
const PICTURES = 12;
const KEYINT = 5;

/** What the pipeline's encoder writes for `PICTURES` test pictures (its own arguments, lavfi input instead of stdin). */
function encoderOutput(codec: VideoCodecName): Buffer {
  const args = encoderArgs({ codec, width: 176, height: 144, frameRate: 25, bitrateBps: 200_000, keyframeIntervalFrames: KEYINT });
  const afterInput = args.indexOf('pipe:0') + 1;
  const run = spawnSync(
    FFMPEG,
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=s=176x144:r=25:d=${PICTURES / 25}`, ...args.slice(afterInput)],
    { maxBuffer: 64 * 1024 * 1024, timeout: 20000 },
  );
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr?.toString()}`);
  return run.stdout;
}

function splitInChunks(codec: VideoCodecName, stream: Buffer, sizes: readonly number[]): CodedPicture[] {
  const splitter = codedStreamSplitter(codec, KEYINT);
  const out: CodedPicture[] = [];
  for (let offset = 0, i = 0; offset < stream.length; i++) {
    const size = sizes[i % sizes.length];
    out.push(...splitter.push(stream.subarray(offset, offset + size)));
    offset += size;
  }
  return out;
}

describe('codedStreamSplitter on real encoder output', () => {
  it.each(['h264', 'vp8', 'h263', 'h263p', 'h261'] as const)('%s: the same pictures whatever the chunking, key frames where the encoder put them', (codec) => {
    const stream = encoderOutput(codec);
    const whole = splitInChunks(codec, stream, [stream.length]);
    // Framed formats deliver every picture; start-code formats keep the last until the next one starts.
    const expected = codec === 'h264' || codec === 'vp8' ? PICTURES : PICTURES - 1;
    expect(whole).toHaveLength(expected);
    for (const sizes of [[1], [3, 7, 2], [1000]]) {
      const chunked = splitInChunks(codec, stream, sizes);
      expect(chunked.map((p) => p.keyframe)).toEqual(whole.map((p) => p.keyframe));
      expect(Buffer.concat(chunked.map((p) => p.data)).equals(Buffer.concat(whole.map((p) => p.data)))).toBe(true);
    }
    // -g 5: pictures 0, 5 and 10 are key frames.
    expect(whole.map((p, i) => (p.keyframe ? i : -1)).filter((i) => i >= 0)).toEqual([0, 5, 10].filter((i) => i < expected));
    if (codec === 'h264') {
      for (const p of whole.filter((q) => q.keyframe)) {
        expect(splitAnnexB(p.data).map(nalUnitType)).toEqual(expect.arrayContaining([NalUnitType.Sps, NalUnitType.Pps, NalUnitType.Idr]));
      }
    }
    if (codec === 'h263' || codec === 'h263p') {
      for (const p of whole) expect([p.data[0], p.data[1], p.data[2] & 0xfc]).toEqual([0, 0, 0x80]);
    }
  });

  it('a stream in the wrong framing is a CodecError', () => {
    expect(() => codedStreamSplitter('h264', KEYINT).push(Buffer.from('not an flv stream'))).toThrow(CodecError);
    expect(() => codedStreamSplitter('vp8', KEYINT).push(Buffer.alloc(64, 7))).toThrow(CodecError);
  });
});
