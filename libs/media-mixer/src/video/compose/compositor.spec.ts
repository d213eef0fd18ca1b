import { InvalidArgumentError } from '../../errors';
import { silentMediaLogger } from '../../media-logger';
import { findFontFile } from '../font-locator';
import { computeLayout, type LayoutParticipant, type Tile } from '../layout';
import { meanYuv, rgbToYuv, solidPicture, type RawPicture } from '../pipeline/raw-picture';
import { Compositor, labelOrigin, PLACEHOLDER_COLOUR, SLATE_COLOUR, type ComposeSource } from './compositor';
import { LabelRenderer } from './label-renderer';
import { BLACK, createPicture, type Rect, type YuvColour } from './yuv-picture';

const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

function expectMean(p: RawPicture, rect: Rect, colour: YuvColour, tolerance = 1.5): void {
  const m = meanYuv(p, rect);
  const off = Math.max(Math.abs(m.y - colour.y), Math.abs(m.u - colour.u), Math.abs(m.v - colour.v));
  expect({ rect, mean: m, withinTolerance: off <= tolerance }).toEqual({ rect, mean: m, withinTolerance: true });
}

/** The tile's rectangle shrunk by `margin` pixels on each side (even), away from edges and labels. */
function inset(t: Rect, margin: number): Rect {
  return { x: t.x + margin, y: t.y + margin, w: t.w - 2 * margin, h: t.h - 2 * margin };
}

function participants(ids: string[], withVideo = ids): LayoutParticipant[] {
  return ids.map((id) => ({ id, name: `Name ${id}`, hasVideo: withVideo.includes(id) }));
}

/** A source callback over fixed pictures; names are `Name <id>`. */
function sources(pictures: Record<string, RawPicture | undefined>): (id: string) => ComposeSource {
  return (id) => ({ picture: pictures[id], name: `Name ${id}` });
}

describe('Compositor', () => {
  it('puts each sender\'s colour at the position computeLayout gives (auto, 3 senders, 640x360 from other sizes)', () => {
    const ids = ['r', 'g', 'b'];
    const tiles = computeLayout({ layout: 'auto', width: 640, height: 360, participants: participants(ids), selfView: false, viewerId: null });
    expect(tiles).toHaveLength(3);
    const canvas = createPicture(640, 360, { y: 200, u: 60, v: 190 });
    const pictures = { r: solidPicture(640, 360, RED), g: solidPicture(352, 288, GREEN), b: solidPicture(1280, 720, BLUE) };
    new Compositor().compose(canvas, tiles, sources(pictures));
    const expected: Record<string, Rgb> = { r: RED, g: GREEN, b: BLUE };
    for (const tile of tiles) {
      const rgb = expected[tile.participantId as string];
      // 352x288 is narrower than the tile: compare inside its aspect-fit area.
      const area = tile.participantId === 'g' ? { x: tile.x + 60, y: tile.y + 10, w: tile.w - 120, h: tile.h - 20 } : inset(tile, 6);
      expectMean(canvas, area, rgbToYuv(...rgb));
    }
    // Where no tile is (the 2×2 grid has three), the background is black, whatever was on the canvas.
    const covered = (x: number, y: number) => tiles.some((t) => x >= t.x && x < t.x + t.w && y >= t.y && y < t.y + t.h);
    let uncovered = 0;
    let notBlack = 0;
    for (let y = 0; y < 360; y++) {
      for (let x = 0; x < 640; x++) {
        if (covered(x, y)) continue;
        uncovered++;
        const c = (y >> 1) * 320 + (x >> 1);
        if (canvas.data[y * 640 + x] !== BLACK.y || canvas.data[640 * 360 + c] !== BLACK.u || canvas.data[640 * 360 * 1.25 + c] !== BLACK.v) notBlack++;
      }
    }
    expect(uncovered).toBeGreaterThanOrEqual(320 * 180);
    expect(notBlack).toBe(0);
  });

  it('shows the speaker layout with the active speaker large', () => {
    const ids = ['r', 'g', 'b'];
    const tiles = computeLayout({
      layout: 'speaker', width: 640, height: 360, participants: participants(ids), selfView: true, viewerId: null, activeSpeakerId: 'b',
    });
    const canvas = createPicture(640, 360);
    new Compositor().compose(canvas, tiles, sources({ r: solidPicture(640, 360, RED), g: solidPicture(640, 360, GREEN), b: solidPicture(640, 360, BLUE) }));
    const big = tiles.reduce((a, t) => (t.w * t.h > a.w * a.h ? t : a));
    expect(big.participantId).toBe('b');
    expectMean(canvas, inset(big, 8), rgbToYuv(...BLUE));
    for (const t of tiles.filter((t) => t !== big)) expectMean(canvas, inset(t, 4), rgbToYuv(...(t.participantId === 'r' ? RED : GREEN)));
  });

  it('aspect-fits a 4:3 sender into a 16:9 tile with black bars', () => {
    const canvas = createPicture(640, 360);
    const tile: Tile = { participantId: 'a', x: 0, y: 0, w: 640, h: 360 };
    new Compositor().compose(canvas, [tile], sources({ a: solidPicture(320, 240, GREEN) }));
    expectMean(canvas, { x: 0, y: 0, w: 80, h: 360 }, BLACK, 0);
    expectMean(canvas, { x: 80, y: 0, w: 480, h: 360 }, rgbToYuv(...GREEN), 0);
    expectMean(canvas, { x: 560, y: 0, w: 80, h: 360 }, BLACK, 0);
  });

  it('paints placeholders for participants without a (valid) picture and for null tiles; a slate without tiles', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const tiles = computeLayout({ layout: 'auto', width: 640, height: 360, participants: participants(ids, ['a']), selfView: true, viewerId: null });
    const canvas = createPicture(640, 360);
    const broken = { width: 640, height: 360, data: Buffer.alloc(10) };
    const compositor = new Compositor();
    compositor.compose(canvas, tiles, sources({ a: solidPicture(640, 360, RED), c: broken }));
    for (const t of tiles) expectMean(canvas, t, t.participantId === 'a' ? rgbToYuv(...RED) : PLACEHOLDER_COLOUR, 0);

    const alone = computeLayout({ layout: 'auto', width: 640, height: 360, participants: participants(['me']), selfView: false, viewerId: 'me' });
    expect(alone).toEqual([{ participantId: null, x: 0, y: 0, w: 640, h: 360 }]);
    compositor.compose(canvas, alone, () => {
      throw new Error('no participant to look up');
    });
    expectMean(canvas, { x: 0, y: 0, w: 640, h: 360 }, PLACEHOLDER_COLOUR, 0);

    compositor.compose(canvas, [], sources({}));
    expectMean(canvas, { x: 0, y: 0, w: 640, h: 360 }, SLATE_COLOUR, 0);
    expect(SLATE_COLOUR).not.toEqual(PLACEHOLDER_COLOUR);
  });

  it('scales a sender once per tile size and picture, whichever views show it', () => {
    const compositor = new Compositor();
    const a1 = solidPicture(640, 360, RED);
    const b1 = solidPicture(640, 360, GREEN);
    const all = participants(['a', 'b', 'c']);
    // Two receivers without self view: different views, same tile size, shared senders.
    const viewOfC = computeLayout({ layout: 'auto', width: 640, height: 360, participants: all, selfView: false, viewerId: 'c' });
    const viewOfB = computeLayout({ layout: 'auto', width: 640, height: 360, participants: all, selfView: false, viewerId: 'b' });
    const c1 = solidPicture(640, 360, BLUE);
    const pictures: Record<string, RawPicture> = { a: a1, b: b1, c: c1 };
    const canvasC = createPicture(640, 360);
    const canvasB = createPicture(640, 360);
    compositor.compose(canvasC, viewOfC, sources(pictures));
    compositor.compose(canvasB, viewOfB, sources(pictures));
    // a is in both views (320x180 each time): scaled once; b and c once each.
    expect(compositor.stats()).toMatchObject({ composes: 2, scales: 3, scaleCacheHits: 1, cachedPictures: 3 });
    // Next tick: a new picture from a only.
    pictures.a = solidPicture(640, 360, BLUE);
    compositor.compose(canvasC, viewOfC, sources(pictures));
    compositor.compose(canvasB, viewOfB, sources(pictures));
    expect(compositor.stats()).toMatchObject({ scales: 4, scaleCacheHits: 4 });
    const tileA = viewOfB.find((t) => t.participantId === 'a')!;
    expectMean(canvasB, inset(tileA, 4), rgbToYuv(...BLUE));
    // Another size is another scaled picture; forget() drops a participant's.
    const single = computeLayout({ layout: 'single', width: 640, height: 360, participants: all, selfView: true, viewerId: null, activeSpeakerId: 'a' });
    compositor.compose(createPicture(320, 180), [{ ...single[0], w: 160, h: 90 }], sources(pictures));
    expect(compositor.stats()).toMatchObject({ scales: 5, cachedPictures: 4 });
    compositor.forget('a');
    expect(compositor.stats().cachedPictures).toBe(2);
  });

  it('copies a picture of the tile size without scaling', () => {
    const compositor = new Compositor();
    const canvas = createPicture(640, 360);
    compositor.compose(canvas, [{ participantId: 'a', x: 320, y: 180, w: 320, h: 180 }], sources({ a: solidPicture(320, 180, GREEN) }));
    expect(compositor.stats()).toMatchObject({ scales: 0, cachedPictures: 0 });
    expectMean(canvas, { x: 320, y: 180, w: 320, h: 180 }, rgbToYuv(...GREEN), 0);
  });

  it('rejects tiles outside the canvas, odd tiles and malformed canvases', () => {
    const compositor = new Compositor();
    const canvas = createPicture(640, 360);
    expect(() => compositor.compose(canvas, [{ participantId: 'a', x: 400, y: 0, w: 320, h: 180 }], sources({}))).toThrow(InvalidArgumentError);
    expect(() => compositor.compose(canvas, [{ participantId: 'a', x: 1, y: 0, w: 320, h: 180 }], sources({}))).toThrow(InvalidArgumentError);
    expect(() => compositor.compose({ width: 640, height: 360, data: Buffer.alloc(5) }, [], sources({}))).toThrow(InvalidArgumentError);
  });

  describe('with name labels (real ffmpeg and font)', () => {
    let labels: LabelRenderer;
    beforeAll(async () => {
      const fontFile = await findFontFile();
      expect(fontFile).not.toBeNull();
      labels = new LabelRenderer({ ffmpegPath: FFMPEG, fontFile, logger: silentMediaLogger });
    });
    afterAll(() => labels.close());

    it('blends each tile\'s name at its bottom and changes nothing else', async () => {
      const ids = ['r', 'g', 'b', 'x'];
      const tiles = computeLayout({ layout: 'auto', width: 640, height: 360, participants: participants(ids, ['r', 'g', 'b']), selfView: true, viewerId: null });
      const pictures = { r: solidPicture(640, 360, RED), g: solidPicture(640, 360, GREEN), b: solidPicture(640, 360, BLUE) };
      for (const id of ids) expect(await labels.ready(`Name ${id}`, 320)).toBeDefined();
      const plain = createPicture(640, 360);
      const labelled = createPicture(640, 360);
      new Compositor().compose(plain, tiles, sources(pictures));
      new Compositor({ labels }).compose(labelled, tiles, sources(pictures));

      for (const tile of tiles) {
        const label = labels.label(`Name ${tile.participantId}`, tile.w)!;
        const at = labelOrigin(tile, label);
        expect(at.y + label.height).toBeLessThanOrEqual(tile.y + tile.h);
        const area = { x: at.x + label.x, y: at.y, w: label.width, h: label.height };
        let changedInside = 0;
        let changedOutside = 0;
        for (let row = tile.y; row < tile.y + tile.h; row++) {
          for (let col = tile.x; col < tile.x + tile.w; col++) {
            const i = row * 640 + col;
            if (plain.data[i] === labelled.data[i]) continue;
            const inside = col >= area.x && col < area.x + area.w && row >= area.y && row < area.y + area.h;
            if (inside) changedInside++;
            else changedOutside++;
          }
        }
        expect({ tile: tile.participantId, changedOutside }).toEqual({ tile: tile.participantId, changedOutside: 0 });
        expect(changedInside).toBeGreaterThan(50);
        // White glyphs: some label pixels are much brighter than the tile.
        let brightest = 0;
        for (let row = area.y; row < area.y + area.h; row++) {
          for (let col = area.x; col < area.x + area.w; col++) brightest = Math.max(brightest, labelled.data[row * 640 + col]);
        }
        expect(brightest).toBeGreaterThan(200);
        // Above the label strip, the tile's colour is intact.
        const above = { x: tile.x, y: tile.y, w: tile.w, h: at.y - tile.y };
        expectMean(labelled, above, meanYuv(plain, above), 0);
      }
      // Chroma outside the label areas is unchanged too.
      const luma = 640 * 360;
      const chromaChanged = (rowFrom: number, rowTo: number) => {
        let n = 0;
        for (let i = luma + rowFrom * 320; i < luma + rowTo * 320; i++) if (plain.data[i] !== labelled.data[i]) n++;
        return n;
      };
      const stripTop = labelOrigin(tiles[0], labels.label(`Name ${tiles[0].participantId}`, tiles[0].w)!).y / 2;
      expect(chromaChanged(0, stripTop)).toBe(0);
      expect(chromaChanged(stripTop, 90)).toBeGreaterThan(0);
    });

    it('writes the slate text in the middle of the slate', async () => {
      expect(await labels.ready('Tessera', 640)).toBeDefined();
      const canvas = createPicture(640, 360);
      new Compositor({ labels }).compose(canvas, [], sources({}));
      expectMean(canvas, { x: 0, y: 0, w: 640, h: 120 }, SLATE_COLOUR, 0);
      expectMean(canvas, { x: 0, y: 240, w: 640, h: 120 }, SLATE_COLOUR, 0);
      const middle = meanYuv(canvas, { x: 200, y: 150, w: 240, h: 60 });
      expect(middle.y).toBeGreaterThan(SLATE_COLOUR.y + 5);
    });

    it('shows a placeholder with the participant\'s name before its label is ready, then with it', async () => {
      const compositor = new Compositor({ labels });
      const tiles: Tile[] = [{ participantId: 'q', x: 0, y: 0, w: 320, h: 180 }];
      const canvas = createPicture(320, 180);
      compositor.compose(canvas, tiles, () => ({ name: 'Quentin Audio-Only' }));
      expectMean(canvas, { x: 0, y: 0, w: 320, h: 180 }, PLACEHOLDER_COLOUR, 0);
      expect(await labels.ready('Quentin Audio-Only', 320)).toBeDefined();
      compositor.compose(canvas, tiles, () => ({ name: 'Quentin Audio-Only' }));
      expect(meanYuv(canvas, { x: 0, y: 150, w: 320, h: 30 }).y).not.toBe(PLACEHOLDER_COLOUR.y);
      expectMean(canvas, { x: 0, y: 0, w: 320, h: 140 }, PLACEHOLDER_COLOUR, 0);
    });
  });
});
