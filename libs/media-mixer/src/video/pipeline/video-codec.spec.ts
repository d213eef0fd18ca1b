import type { MediaLogger } from '../../media-logger';
import { silentMediaLogger } from '../../media-logger';
import type { VideoCodecName } from '../ffmpeg-args';
import { NalUnitType, nalUnitType, splitAnnexB } from '../h264-nal-unit';
import type { EncodedVideoFrame } from '../video-frame';
import { liveFfmpegChildCount } from './ffmpeg-process';
import { meanYuv, RawPicture, rgbToYuv, solidPicture } from './raw-picture';
import { VideoDecoder } from './video-decoder';
import { VideoEncoder } from './video-encoder';

const FFMPEG = '/usr/bin/ffmpeg';
/** 90 kHz ticks per picture at 25 pictures/s. */
const TICK = 3600;

async function waitFor(what: string, cond: () => boolean, limitMs = 5000): Promise<void> {
  for (let waited = 0; !cond(); waited += 10) {
    if (waited >= limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pictures numbered by their RTP timestamp: frame `k` of the input carries `k·TICK`. */
function seqOf(frame: EncodedVideoFrame): number {
  return frame.rtpTimestamp / TICK;
}

describe('VideoEncoder and VideoDecoder (real ffmpeg)', () => {
  const closers: (() => Promise<void>)[] = [];
  const pids: number[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
    for (const pid of pids.splice(0)) expect(pidAlive(pid)).toBe(false);
    expect(liveFfmpegChildCount()).toBe(0);
  });

  function encoder(codec: VideoCodecName, width: number, height: number, frames: EncodedVideoFrame[], extra: { logger?: MediaLogger; clock?: () => number } = {}): VideoEncoder {
    const enc = new VideoEncoder({
      ffmpegPath: FFMPEG,
      codec,
      width,
      height,
      frameRate: 25,
      bitrateBps: 300_000,
      name: `test ${codec}`,
      logger: extra.logger ?? silentMediaLogger,
      onFrame: (f) => frames.push(f),
      initialBackoffMs: 20,
      clock: extra.clock,
    });
    closers.push(() => enc.close());
    return enc;
  }

  function decoder(codec: VideoCodecName, width: number, height: number, pictures: RawPicture[], onNeedKeyframe: () => void = () => undefined): VideoDecoder {
    const dec = new VideoDecoder({
      ffmpegPath: FFMPEG,
      codec,
      width,
      height,
      name: `test ${codec}`,
      logger: silentMediaLogger,
      onPicture: (p) => pictures.push(p),
      onNeedKeyframe,
      initialBackoffMs: 20,
    });
    closers.push(() => dec.close());
    return dec;
  }

  /**
   * Feeds `count` pictures every `paceMs`, numbered from `from` (rtpTimestamp = k·TICK). From 0, it
   * waits after two pictures until the first comes out: an encoder still starting (slow on a busy
   * machine) would otherwise drop pictures, as it should for live video.
   */
  async function feed(enc: VideoEncoder, picture: RawPicture, from: number, count: number, paceMs = 10): Promise<void> {
    for (let k = from; k < from + count; k++) {
      enc.encode(picture, k * TICK);
      if (k === 1) await waitFor('the encoder to start', () => enc.stats().framesOut >= 1);
      await sleep(paceMs);
    }
  }

  const cases: { codec: VideoCodecName; width: number; height: number }[] = [
    { codec: 'h264', width: 320, height: 180 },
    { codec: 'vp8', width: 320, height: 180 },
    { codec: 'h263p', width: 320, height: 180 },
    { codec: 'h263', width: 176, height: 144 },
    { codec: 'h261', width: 176, height: 144 },
  ];

  it.each(cases)('$codec: the decoder gives back the solid colour the encoder coded', async ({ codec, width, height }) => {
    const frames: EncodedVideoFrame[] = [];
    const pictures: RawPicture[] = [];
    const enc = encoder(codec, width, height, frames);
    // The decoder letterboxes into a 16:9 canvas; compare the middle of the picture.
    const dec = decoder(codec, 320, 180, pictures);
    pids.push(enc.pid!, dec.pid!);
    const orange: [number, number, number] = [230, 120, 20];
    await feed(enc, solidPicture(width, height, orange), 0, 16);
    // H.263 and H.261 pictures come out when the next one starts: one picture late.
    await waitFor('coded pictures', () => frames.length >= 15);
    expect(frames[0].keyframe).toBe(true);
    expect(frames.filter((f) => f.keyframe)).toHaveLength(1);
    // In order, once each, with the timestamps of their input pictures.
    expect(frames.map(seqOf)).toEqual(frames.map((_, i) => i));
    if (codec === 'h264') {
      const types = splitAnnexB(frames[0].data).map(nalUnitType);
      expect(types).toEqual(expect.arrayContaining([NalUnitType.Sps, NalUnitType.Pps, NalUnitType.Idr]));
    }
    const fed = frames.length;
    for (const f of frames.slice(0, fed)) dec.decode(f);
    await waitFor('decoded pictures', () => pictures.length >= fed - 3);
    const last = pictures[pictures.length - 1];
    expect(last.data.length).toBe((320 * 180 * 3) / 2);
    const mean = meanYuv(last, { x: 140, y: 70, w: 40, h: 40 });
    const want = rgbToYuv(...orange);
    expect(Math.abs(mean.y - want.y)).toBeLessThan(8);
    expect(Math.abs(mean.u - want.u)).toBeLessThan(8);
    expect(Math.abs(mean.v - want.v)).toBeLessThan(8);
    expect(dec.stats()).toEqual(expect.objectContaining({ framesIn: fed, picturesOut: pictures.length, restarts: 0 }));
    const encStats = enc.stats();
    expect(encStats).toEqual({ picturesIn: 16, framesOut: frames.length, keyframesOut: 1, keyframesRequested: 0, restarts: 0 });
  });

  it('the decoder drops frames until the first key frame and asks for one', async () => {
    const frames: EncodedVideoFrame[] = [];
    const pictures: RawPicture[] = [];
    let asked = 0;
    const enc = encoder('h264', 320, 180, frames);
    const dec = decoder('h264', 320, 180, pictures, () => asked++);
    pids.push(enc.pid!, dec.pid!);
    await feed(enc, solidPicture(320, 180, [0, 0, 255]), 0, 10);
    await waitFor('coded pictures', () => frames.length >= 10);
    for (const f of frames.slice(1)) dec.decode(f);
    expect(asked).toBeGreaterThanOrEqual(1);
    await sleep(200);
    expect(pictures).toHaveLength(0);
    for (const f of frames) dec.decode(f);
    await waitFor('decoded pictures', () => pictures.length >= 8);
    expect(dec.stats().framesIn).toBe(19);
  });

  it('decode errors ffmpeg reports are counted and make the decoder ask for a key frame', async () => {
    const frames: EncodedVideoFrame[] = [];
    const pictures: RawPicture[] = [];
    let asked = 0;
    const enc = encoder('h264', 320, 180, frames);
    const dec = decoder('h264', 320, 180, pictures, () => asked++);
    pids.push(enc.pid!, dec.pid!);
    // Stripes, so that inter pictures carry coded data worth breaking.
    const striped = solidPicture(320, 180, [40, 40, 40]);
    for (let k = 0; k < 12; k++) {
      for (let row = 0; row < 180; row++) striped.data.fill(row % 16 < 8 ? 200 : 30, row * 320 + ((k * 8) % 320), row * 320 + ((k * 8) % 320) + 64);
      enc.encode({ ...striped, data: Buffer.from(striped.data) }, k * TICK);
      if (k === 1) await waitFor('the encoder to start', () => frames.length >= 1);
      await sleep(10);
    }
    await waitFor('coded pictures', () => frames.length >= 12);
    for (const f of frames.slice(0, 6)) dec.decode(f);
    await waitFor('decoded pictures', () => pictures.length >= 3);
    expect(dec.stats().decodeErrors).toBe(0);
    const askedBefore = asked;
    // The slice data of the next inter picture overwritten with garbage.
    const broken = Buffer.from(frames[6].data);
    for (let i = 12; i < broken.length; i++) broken[i] = (i * 151) & 0xff;
    dec.decode({ ...frames[6], data: broken });
    for (const f of frames.slice(7)) dec.decode(f);
    await waitFor('a decode error', () => dec.stats().decodeErrors > 0);
    expect(asked).toBeGreaterThan(askedBefore);
  });

  it.each(['h264', 'vp8', 'h263p', 'h261'] as const)('%s: requestKeyframe hands over to a fresh encoder whose first picture is a key frame, with no gap and no duplicate', async (codec) => {
    const frames: EncodedVideoFrame[] = [];
    let now = 0;
    // H.263+ and H.261 pictures come out one late (split at the next start code): the handover waits for it.
    const [width, height] = codec === 'h261' ? [176, 144] : [320, 180];
    const enc = encoder(codec, width, height, frames, { clock: () => now });
    const nextPid = (): number | undefined => (enc as unknown as { next?: { process: { pid?: number } } }).next?.process.pid;
    const firstPid = enc.pid!;
    pids.push(firstPid);
    const picture = solidPicture(width, height, [0, 200, 0]);
    await feed(enc, picture, 0, 5);
    await waitFor('first pictures', () => frames.length >= 3);
    expect(enc.requestKeyframe()).toBe(true);
    // Rate-limited: a second request within the second is deferred.
    expect(enc.requestKeyframe()).toBe(false);
    const handoverPid = nextPid();
    expect(handoverPid).toBeDefined();
    pids.push(handoverPid!);
    let k = 5;
    for (let i = 0; i < 100 && enc.stats().keyframesOut < 2; i++) enc.encode(picture, k++ * TICK), await sleep(40);
    expect(enc.stats().keyframesOut).toBe(2);
    await feed(enc, picture, k, 5, 40);
    k += 5;
    await waitFor('pictures out', () => frames.length >= k - 2);
    expect(enc.pid).toBe(handoverPid);
    expect(enc.handoverInProgress).toBe(false);
    await waitFor('old encoder gone', () => !pidAlive(firstPid));
    // The deferred request is served on the first picture after the second has passed.
    now = 1000;
    enc.encode(picture, k++ * TICK);
    expect(enc.handoverInProgress).toBe(true);
    pids.push(nextPid()!);
    for (let i = 0; i < 100 && enc.stats().keyframesOut < 3; i++) enc.encode(picture, k++ * TICK), await sleep(40);
    await feed(enc, picture, k, 5, 40);
    k += 5;
    await waitFor('pictures out', () => frames.length >= k - 2);
    const seqs = frames.map(seqOf);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const keyAt = frames.map((f, i) => (f.keyframe ? i : -1)).filter((i) => i >= 0);
    expect(keyAt).toHaveLength(3);
    expect(keyAt[0]).toBe(0);
    expect(keyAt[1]).toBeGreaterThanOrEqual(5);
    // At the frame clock's pace the IDR comes well inside the 12 pictures (480 ms) a handover may take.
    expect(keyAt[1] - 5).toBeLessThan(12);
    if (codec === 'h264') {
      for (const at of keyAt) {
        expect(splitAnnexB(frames[at].data).map(nalUnitType)).toEqual(expect.arrayContaining([NalUnitType.Sps, NalUnitType.Pps, NalUnitType.Idr]));
      }
    }
    expect(enc.stats()).toEqual(expect.objectContaining({ keyframesRequested: 2, keyframesOut: 3, restarts: 0 }));
  });

  it('a killed encoder is replaced through a handover and the output goes on with a key frame', async () => {
    const frames: EncodedVideoFrame[] = [];
    const enc = encoder('h264', 320, 180, frames);
    const firstPid = enc.pid!;
    pids.push(firstPid);
    const picture = solidPicture(320, 180, [200, 0, 200]);
    await feed(enc, picture, 0, 5);
    await waitFor('first pictures', () => frames.length >= 4);
    process.kill(firstPid, 'SIGKILL');
    let k = 5;
    for (let i = 0; i < 200 && enc.stats().restarts === 0; i++) enc.encode(picture, k++ * TICK), await sleep(10);
    const before = frames.length;
    for (let i = 0; i < 200 && frames.length < before + 5; i++) enc.encode(picture, k++ * TICK), await sleep(10);
    expect(frames.length).toBeGreaterThanOrEqual(before + 5);
    expect(enc.stats().restarts).toBe(1);
    expect(enc.pid).toBeDefined();
    expect(enc.pid).not.toBe(firstPid);
    pids.push(enc.pid!);
    const seqs = frames.map(seqOf);
    // Strictly increasing (pictures written while no encoder ran are lost, none twice).
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1])).toBe(true);
    expect(frames.filter((f) => f.keyframe)).toHaveLength(2);
  });

  it('a killed decoder restarts, asks for a key frame, and decodes again from the next one', async () => {
    const frames: EncodedVideoFrame[] = [];
    const pictures: RawPicture[] = [];
    let asked = 0;
    const enc = encoder('vp8', 320, 180, frames);
    const dec = decoder('vp8', 320, 180, pictures, () => asked++);
    pids.push(enc.pid!);
    await feed(enc, solidPicture(320, 180, [255, 255, 0]), 0, 12);
    await waitFor('coded pictures', () => frames.length >= 12);
    for (const f of frames) dec.decode(f);
    await waitFor('decoded pictures', () => pictures.length >= 8);
    const firstPid = dec.pid!;
    pids.push(firstPid);
    process.kill(firstPid, 'SIGKILL');
    await waitFor('decoder restart', () => dec.stats().restarts === 1 && dec.pid !== undefined);
    expect(asked).toBeGreaterThanOrEqual(1);
    pids.push(dec.pid!);
    const decoded = pictures.length;
    // Inter frames are dropped until a key frame arrives.
    dec.decode(frames[5]);
    await sleep(100);
    expect(pictures.length).toBe(decoded);
    for (const f of frames) dec.decode(f);
    await waitFor('decoding again', () => pictures.length >= decoded + 5);
  });

  it('close() leaves no ffmpeg child, even in the middle of a handover', async () => {
    const frames: EncodedVideoFrame[] = [];
    const pictures: RawPicture[] = [];
    const enc = encoder('h264', 320, 180, frames);
    const dec = decoder('h264', 320, 180, pictures);
    const encPid = enc.pid!;
    const decPid = dec.pid!;
    enc.encode(solidPicture(320, 180, [9, 9, 9]), 0);
    expect(enc.requestKeyframe()).toBe(true);
    const handoverPid = (enc as unknown as { next?: { process: { pid?: number } } }).next?.process.pid;
    expect(liveFfmpegChildCount()).toBe(3);
    await Promise.all([enc.close(), dec.close()]);
    for (const pid of [encPid, decPid, handoverPid!]) expect(pidAlive(pid)).toBe(false);
    expect(liveFfmpegChildCount()).toBe(0);
    // Closed objects ignore further use.
    enc.encode(solidPicture(320, 180, [9, 9, 9]), TICK);
    expect(enc.requestKeyframe()).toBe(false);
    dec.decode({ data: Buffer.from([0, 0, 0, 1, 0x65]), keyframe: true, rtpTimestamp: 0 });
  });
});
