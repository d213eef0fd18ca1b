import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { InvalidArgumentError } from '../errors';
import { compositeArgs, decoderArgs, encoderArgs, labelArgs, PIPE_FORMAT } from './ffmpeg-args';
import { FlvAvcReader } from './flv-avc-reader';
import { findH263StartCodes, isPictureStartCode } from './h263-picture-header';
import { splitAnnexB, withTrailingDelimiter, joinAnnexB } from './h264-nal-unit';
import { IvfReader } from './ivf';
import { computeLayout } from './layout';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
/** Liveness bound for one step of a pipeline test (not a speed assertion). */
const STEP_LIMIT_MS = 10000;

describe('argument lists', () => {
  it('decodes each codec from its pipe format to fixed-size raw pictures without buffering', () => {
    const args = decoderArgs({ codec: 'vp8', width: 640, height: 360 });
    expect(args.slice(args.indexOf('-f'), args.indexOf('-f') + 4)).toEqual(['-f', 'ivf', '-i', 'pipe:0']);
    expect(args).toEqual(expect.arrayContaining(['-probesize', '32', '-threads', '1', '-flush_packets', '1']));
    expect(args.slice(-5)).toEqual(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1']);
    expect(PIPE_FORMAT).toEqual({ h264: 'h264', vp8: 'ivf', h263: 'h263', h263p: 'h263', h261: 'h261' });
    expect(() => decoderArgs({ codec: 'h264', width: 641, height: 360 })).toThrow(InvalidArgumentError);
  });

  it('pads an unknown camera into the size, and stretches a camera to a size of its own aspect', () => {
    const filter = (args: string[]): string => args[args.indexOf('-vf') + 1];
    expect(filter(decoderArgs({ codec: 'h264', width: 640, height: 360 }))).toMatch(/^scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:/);
    expect(filter(decoderArgs({ codec: 'h263', width: 384, height: 288, fit: 'stretch' }))).toBe('scale=384:288,setsar=1');
  });

  it('configures libx264 for constrained baseline at the negotiated level, capped slices in mode 0', () => {
    const args = encoderArgs({ codec: 'h264', width: 640, height: 360, frameRate: 25, bitrateBps: 500000, profileLevelId: '42e01e', packetizationMode: 0 });
    expect(args).toEqual(expect.arrayContaining(['-profile:v', 'baseline', '-level:v', '3', '-tune', 'zerolatency', '-b:v', '500k', '-maxrate', '500k', '-bufsize', '250k']));
    expect(args[args.indexOf('-x264-params') + 1]).toBe('keyint=250:min-keyint=250:scenecut=0:repeat-headers=1:bframes=0:rc-lookahead=0:slice-max-size=1180');
    expect(args.slice(-4)).toEqual(['flv', '-flvflags', 'no_duration_filesize', 'pipe:1']);
  });

  it('refuses sizes a codec cannot code', () => {
    expect(() => encoderArgs({ codec: 'h263', width: 640, height: 360, frameRate: 15, bitrateBps: 1e5 })).toThrow(/H.263 cannot/);
    expect(() => encoderArgs({ codec: 'h261', width: 640, height: 360, frameRate: 15, bitrateBps: 1e5 })).toThrow(/H.261 cannot/);
    expect(() => encoderArgs({ codec: 'h263p', width: 642, height: 360, frameRate: 15, bitrateBps: 1e5 })).toThrow(/H.263\+ cannot/);
    expect(() => encoderArgs({ codec: 'vp8', width: 640, height: 360, frameRate: 0, bitrateBps: 1e5 })).toThrow(InvalidArgumentError);
    expect(encoderArgs({ codec: 'h263', width: 352, height: 288, frameRate: 15, bitrateBps: 1e5 })).toEqual(expect.arrayContaining(['-c:v', 'h263', '-ps', '1196']));
  });
});

/** A spawned ffmpeg whose stdout is handed to `onData`; waits are bounded. */
class Pipeline {
  readonly child: ChildProcess;
  stderr = '';
  private waiters: (() => void)[] = [];
  private timers = new Set<NodeJS.Timeout>();

  constructor(args: string[], onData: (chunk: Buffer) => void) {
    this.child = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      onData(chunk);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.child.stdin?.on('error', () => undefined); // EPIPE after a failed start shows in stderr and the wait
  }

  write(data: Buffer): void {
    this.child.stdin?.write(data);
  }

  /** Resolves when `done()` holds; rejects after STEP_LIMIT_MS with ffmpeg's stderr. */
  until(done: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          this.timers.delete(timer);
          resolve();
        } else this.waiters.push(check);
      };
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        reject(new Error(`ffmpeg produced no output in time: ${this.stderr}`));
      }, STEP_LIMIT_MS);
      this.timers.add(timer);
      check();
    });
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiters = [];
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
  }
}

function rawPicture(width: number, height: number, seed: number): Buffer {
  const picture = Buffer.alloc((width * height * 3) / 2);
  for (let i = 0; i < width * height; i++) picture[i] = (i + seed * 9) & 0xff;
  return picture.fill(128, width * height);
}

describe('pipelines with the real ffmpeg', () => {
  const running: Pipeline[] = [];
  afterEach(() => running.splice(0).forEach((p) => p.close()));
  const start = (args: string[], onData: (c: Buffer) => void): Pipeline => {
    const p = new Pipeline(args, onData);
    running.push(p);
    return p;
  };

  it('decoder: H.264 access units with a trailing delimiter come out at most two pictures late, all of them in the end', async () => {
    const stream = execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-frames:v', '6',
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-x264-params', 'aud=1', '-f', 'h264', 'pipe:1',
    ], { timeout: 20000 });
    const units: Buffer[][] = [];
    for (const nal of splitAnnexB(stream)) {
      if ((nal[0] & 0x1f) === 9) units.push([]);
      units[units.length - 1].push(nal);
    }
    const pictureOctets = (640 * 360 * 3) / 2;
    let octets = 0;
    const decoder = start(decoderArgs({ codec: 'h264', width: 640, height: 360 }), (c) => (octets += c.length));
    // The parser closes each picture at its delimiter; the decoder may hold one picture back when
    // probing guessed a reorder delay, and two when ffmpeg started late enough (a loaded machine)
    // to find several pictures waiting in the pipe when it probed. Without the delimiter pictures
    // come out one later still.
    decoder.write(withTrailingDelimiter(joinAnnexB(units[0])));
    for (let k = 2; k <= units.length; k++) {
      decoder.write(withTrailingDelimiter(joinAnnexB(units[k - 1])));
      await decoder.until(() => octets >= (k - 2) * pictureOctets);
    }
    decoder.child.stdin?.end();
    await decoder.until(() => octets >= units.length * pictureOctets);
    expect(octets).toBe(units.length * pictureOctets);
  }, 60000);

  it('H.264 encoder: each raw picture comes out as one FLV access unit before the next goes in', async () => {
    const reader = new FlvAvcReader();
    const units: boolean[] = [];
    const encoder = start(encoderArgs({ codec: 'h264', width: 320, height: 240, frameRate: 25, bitrateBps: 300000, keyframeIntervalFrames: 3 }), (c) =>
      units.push(...reader.push(c).map((u) => u.keyframe)),
    );
    for (let k = 1; k <= 5; k++) {
      encoder.write(rawPicture(320, 240, k));
      await encoder.until(() => units.length >= k);
    }
    expect(units).toEqual([true, false, false, true, false]);
  }, 60000);

  it('VP8 encoder: each raw picture comes out as one IVF frame before the next goes in', async () => {
    const reader = new IvfReader();
    let frames = 0;
    const encoder = start(encoderArgs({ codec: 'vp8', width: 320, height: 240, frameRate: 25, bitrateBps: 300000 }), (c) => (frames += reader.push(c).length));
    for (let k = 1; k <= 4; k++) {
      encoder.write(rawPicture(320, 240, k));
      await encoder.until(() => frames >= k);
    }
    expect(reader.header).toMatchObject({ fourcc: 'VP80', width: 320, height: 240 });
  }, 60000);

  it('H.263 and H.261 encoders write decodable pictures at their standard sizes', () => {
    for (const codec of ['h263', 'h263p', 'h261'] as const) {
      const input = Buffer.concat([1, 2, 3].map((k) => rawPicture(352, 288, k)));
      const out = execFileSync('ffmpeg', encoderArgs({ codec, width: 352, height: 288, frameRate: 15, bitrateBps: 256000 }), { input, timeout: 20000 });
      if (codec !== 'h261') expect(findH263StartCodes(out).filter((o) => isPictureStartCode(out, o))).toHaveLength(3);
      const decoded = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', PIPE_FORMAT[codec], '-i', 'pipe:0', '-f', 'framecrc', 'pipe:1'], { input: out, timeout: 20000 });
      expect(decoded.toString().split('\n').filter((l) => /^0,/.test(l))).toHaveLength(3);
    }
  }, 60000);

  it('renders a label with a hostile name to one transparent yuva420p picture', () => {
    const name = "Eve'; [x] ,drawtext=text=pwn:%{pts} \\ : \n";
    const picture = execFileSync('ffmpeg', labelArgs({ text: name, fontFile: FONT, width: 320, height: 32, fontSize: 20 }), { timeout: 20000 });
    expect(picture.length).toBe((320 * 32 * 5) / 2);
    const alpha = picture.subarray((320 * 32 * 3) / 2);
    expect(alpha.some((a) => a > 0)).toBe(true);
    expect(alpha[alpha.length - 1]).toBe(0);
  });

  it('composes coloured inputs at the layout positions (the plain-ffmpeg reference command)', () => {
    const participants = ['red', 'green', 'blue'].map((id) => ({ id, name: `Mr ${id}`, hasVideo: true }));
    const tiles = computeLayout({ layout: 'auto', width: 640, height: 360, participants, selfView: true, viewerId: null });
    const args = compositeArgs({
      inputs: participants.map((p) => ['-f', 'lavfi', '-i', `color=c=${p.id}:s=320x180:r=25`]),
      graph: { width: 640, height: 360, frameRate: 25, tiles, inputs: new Map(participants.map((p, i) => [p.id, i])), names: new Map(participants.map((p) => [p.id, p.name])), fontFile: FONT },
      encoder: { codec: 'h264', bitrateBps: 800000 },
    });
    args.splice(args.indexOf('-map'), 0, '-frames:v', '3');
    const flv = execFileSync('ffmpeg', args, { timeout: 30000 });
    const rgb = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'flv', '-i', 'pipe:0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { input: flv, timeout: 20000 });
    const pixel = (x: number, y: number): number[] => [...rgb.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3)];
    const expected: Record<string, number[]> = { red: [255, 0, 0], green: [0, 128, 0], blue: [0, 0, 255] };
    for (const t of tiles) {
      const [r, g, b] = pixel(t.x + t.w / 2, t.y + t.h / 4);
      const [er, eg, eb] = expected[t.participantId as string];
      expect(Math.abs(r - er) + Math.abs(g - eg) + Math.abs(b - eb)).toBeLessThan(60);
    }
    // The third tile is centred in the bottom row: the bottom-left corner is background.
    expect(Math.max(...pixel(10, 350))).toBeLessThan(30);
  }, 60000);
});
