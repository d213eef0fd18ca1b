/**
 * Video with an independent SIP phone, baresip 1.0 (Debian's packages):
 * - VP8: two phones with the `fakevideo` camera (three vertical bars, red, green and blue, at
 *   640×480) call one room. Each decodes the composite the MCU sends it (saved by baresip's
 *   `snapshot` module) and sees the other's bars in that order; with `selfView: false` (the
 *   default) neither sees itself, so a phone alone in the room sees the slate. The MCU's stats show
 *   both cameras decoded and both composites sent in VP8.
 * - H.264 (baresip's `avcodec`, packetization-mode 0, and `avformat` playing a file as the camera):
 *   four phones with red, green, blue and yellow files; each decodes a composite that shows the
 *   other three in the tiles `computeLayout` gives (auto layout, join order, no self view).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Baresip } from './support/baresip';
import { killAllChildren } from './support/child-registry';
import { McuProcess } from './support/mcu-process';
import { McuRestClient, Participant, Room } from './support/rest-client';
import { TEST_FFMPEG } from './support/video-ffmpeg';
import { viewProblems } from './support/video-layout-check';
import { ColourName, COLOURS, ffmpegColour, formatRgb, meanRgb, nearestColour, PixelRect, RgbPicture } from './support/video-picture';
import { waitFor } from './support/wait';

jest.setTimeout(120_000);

/** Largest channel difference from a pure colour that still counts as that colour (fakevideo draws 0xEE1111-like bars). */
const TOLERANCE = 80;
const BARS: readonly ColourName[] = ['red', 'green', 'blue'];

/** The PNG `file` as packed RGB (size from its IHDR chunk, pixels decoded by ffmpeg). */
function readPng(file: string): RgbPicture {
  const png = fs.readFileSync(file);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const data = execFileSync(TEST_FFMPEG, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 64 << 20 });
  if (data.length !== width * height * 3) throw new Error(`${file}: ${data.length} octets of rgb24, expected ${width}x${height}`);
  return { width, height, data };
}

/**
 * The colours at the centres of a 4:3 camera's three bars in a 16:9 picture that shows that camera
 * alone (letterboxed; the rectangles also fall inside the bars when the picture is filled instead).
 */
function barColours(picture: RgbPicture): Array<ColourName | string> {
  const contentWidth = (picture.height * 4) / 3;
  const left = (picture.width - contentWidth) / 2;
  return [0, 1, 2].map((i) => {
    const centre = left + (contentWidth * (i + 0.5)) / 3;
    const rect: PixelRect = { x: centre - contentWidth / 16, y: picture.height / 4, w: contentWidth / 8, h: picture.height / 2 };
    const mean = meanRgb(picture, rect);
    return nearestColour(mean, BARS, TOLERANCE) ?? formatRgb(mean);
  });
}

interface VideoStats {
  codec: string;
  fpsIn: number;
  fpsOut: number;
  packetsIn: number;
  packetsOut: number;
  keyframesSent: number;
  decodeErrors: number;
}

describe('baresip phones with video in one room', () => {
  let mcu: McuProcess;
  let rest: McuRestClient;
  let room: Room;
  let phones: Baresip[] = [];
  let scratch: string;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-baresip-video-'));
    mcu = await McuProcess.start({ label: 'baresip-video' });
    rest = new McuRestClient(mcu.baseUrl);
    room = await rest.createRoom({ name: 'baresip video', number: '7600' });
    phones = [await Baresip.start({ label: 'video-a', user: 'alice', video: true }), await Baresip.start({ label: 'video-b', user: 'bob', video: true })];
  });

  afterAll(async () => {
    await Promise.all(phones.map((p) => p.dispose()));
    await killAllChildren();
    await mcu?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** The picture phone `i` decodes, as the colours of the three bar positions, polled until `expected` or 10 s. */
  async function barsSeenBy(i: number, expected: ReadonlyArray<string | undefined>): Promise<Array<ColourName | string>> {
    let seen: Array<ColourName | string> = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      const file = await phones[i].snapshotReceived(path.join(scratch, `phone-${i}-${attempt}.png`));
      seen = barColours(readPng(file));
      if (seen.every((c, k) => c === expected[k])) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    return seen;
  }

  it('a phone alone in the room is sent the slate, not its own camera', async () => {
    expect((await phones[0].dial(`sip:${room.number}@${mcu.sipAddress}`)).ok).toBe(true);
    await phones[0].waitForEvent('CALL_ESTABLISHED', 15_000);
    const file = await waitFor('a decoded composite at the first phone', async () => {
      try {
        return await phones[0].snapshotReceived(path.join(scratch, 'alone.png'), 1000);
      } catch {
        return undefined;
      }
    }, 150);
    const colours = barColours(readPng(file));
    expect(colours.filter((c) => BARS.includes(c as ColourName))).toEqual([]);
  });

  it('each phone decodes the other one\'s camera: red, green and blue bars from left to right', async () => {
    expect((await phones[1].dial(`sip:${room.number}@${mcu.sipAddress}`)).ok).toBe(true);
    await phones[1].waitForEvent('CALL_ESTABLISHED', 15_000);
    expect(await barsSeenBy(0, BARS)).toEqual(BARS);
    expect(await barsSeenBy(1, BARS)).toEqual(BARS);
  });

  it('the MCU decodes both cameras and sends both composites in VP8, without decode errors', async () => {
    const participants = await waitFor<Participant[]>('two connected participants', async () => {
      const list = (await rest.participants(room.id)).filter((p) => p.state === 'connected');
      return list.length === 2 ? list : undefined;
    });
    for (const participant of participants) {
      const video = await waitFor<VideoStats>(`video flowing both ways for ${participant.displayName}`, async () => {
        const { status, body } = await rest.request<{ video: VideoStats | null }>('GET', `/api/rooms/${room.id}/participants/${participant.id}/stats`);
        const v = status === 200 ? body.video : null;
        return v && v.fpsIn > 10 && v.fpsOut > 10 ? v : undefined;
      });
      expect(video.codec).toBe('VP8');
      expect(video.keyframesSent).toBeGreaterThanOrEqual(1);
      expect(video.decodeErrors).toBe(0);
    }
  });

  it('both phones quit cleanly', async () => {
    for (const phone of phones) expect(await phone.quit()).toEqual({ code: 0, signal: null });
  });
});

describe('baresip phones with H.264 file cameras in one room', () => {
  const colours: ColourName[] = ['red', 'green', 'blue', 'yellow'];
  let mcu: McuProcess;
  let rest: McuRestClient;
  let room: Room;
  const phones: Baresip[] = [];
  let scratch: string;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-baresip-h264-'));
    mcu = await McuProcess.start({ label: 'baresip-h264' });
    rest = new McuRestClient(mcu.baseUrl);
    room = await rest.createRoom({ name: 'baresip h264', number: '7601' });
    for (const colour of colours) {
      // One minute of the colour (the test needs well under that), a key frame every second.
      const file = path.join(scratch, `${colour}.mp4`);
      execFileSync(TEST_FFMPEG, [
        '-v', 'error', '-f', 'lavfi', '-i', `color=c=${ffmpegColour(COLOURS[colour])}:s=640x360:r=25`, '-t', '60',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', file,
      ]);
      phones.push(await Baresip.start({ label: `h264-${colour}`, user: colour, video: { codec: 'H264', file } }));
    }
  });

  afterAll(async () => {
    await Promise.all(phones.map((p) => p.dispose()));
    await killAllChildren();
    await mcu?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('each phone joins in turn and is connected with H.264 video both ways', async () => {
    for (const phone of phones) {
      expect((await phone.dial(`sip:${room.number}@${mcu.sipAddress}`)).ok).toBe(true);
      await phone.waitForEvent('CALL_ESTABLISHED', 15_000);
      // Join order is the layout order: wait until this one is in the roster before the next dials.
      await waitFor('the phone in the roster', async () => ((await rest.participants(room.id)).filter((p) => p.state === 'connected').length === phones.indexOf(phone) + 1 ? true : undefined));
    }
    for (const participant of await rest.participants(room.id)) {
      const video = await waitFor<VideoStats>(`H.264 flowing both ways for ${participant.displayName}`, async () => {
        const { status, body } = await rest.request<{ video: VideoStats | null }>('GET', `/api/rooms/${room.id}/participants/${participant.id}/stats`);
        const v = status === 200 ? body.video : null;
        return v && v.fpsIn > 10 && v.fpsOut > 10 ? v : undefined;
      });
      expect(video.codec).toBe('H264');
      expect(video.decodeErrors).toBe(0);
    }
  });

  it('each phone decodes the other three cameras in their layout tiles', async () => {
    const participants = colours.map((colour) => ({ id: colour, colour }));
    for (const [i, colour] of colours.entries()) {
      let problems: string[] = ['no picture'];
      for (let attempt = 0; attempt < 40 && problems.length > 0; attempt++) {
        const picture = readPng(await phones[i].snapshotReceived(path.join(scratch, `${colour}-sees-${attempt}.png`)));
        problems = viewProblems(picture, { layout: 'auto', width: 640, height: 360, participants, viewerId: colour });
        if (problems.length > 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect({ viewer: colour, problems }).toEqual({ viewer: colour, problems: [] });
    }
  });
});
