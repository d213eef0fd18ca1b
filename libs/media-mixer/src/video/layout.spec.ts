import fc from 'fast-check';
import { InvalidArgumentError } from '../errors';
import { computeLayout, gridShape, layoutKey, LayoutParticipant, LayoutRequest, Tile } from './layout';

function people(count: number, spoke: (i: number) => number | undefined = () => undefined): LayoutParticipant[] {
  return Array.from({ length: count }, (_, i) => ({ id: `p${i}`, name: `P ${i}`, hasVideo: true, lastSpokeAt: spoke(i) }));
}

function request(overrides: Partial<LayoutRequest>): LayoutRequest {
  return { layout: 'auto', width: 1280, height: 720, participants: [], selfView: true, viewerId: null, ...overrides };
}

const ids = (tiles: Tile[]): (string | null)[] => tiles.map((t) => t.participantId);

describe('computeLayout auto', () => {
  it('gives one full-picture tile for one participant', () => {
    expect(computeLayout(request({ participants: people(1) }))).toEqual([{ participantId: 'p0', x: 0, y: 0, w: 1280, h: 720 }]);
  });

  it('puts two side by side, letterboxed to the picture ratio', () => {
    expect(computeLayout(request({ participants: people(2) }))).toEqual([
      { participantId: 'p0', x: 0, y: 180, w: 640, h: 360 },
      { participantId: 'p1', x: 640, y: 180, w: 640, h: 360 },
    ]);
  });

  it('fills a 2x2 grid for four and centres the last row for three', () => {
    expect(computeLayout(request({ participants: people(4) }))).toEqual([
      { participantId: 'p0', x: 0, y: 0, w: 640, h: 360 },
      { participantId: 'p1', x: 640, y: 0, w: 640, h: 360 },
      { participantId: 'p2', x: 0, y: 360, w: 640, h: 360 },
      { participantId: 'p3', x: 640, y: 360, w: 640, h: 360 },
    ]);
    expect(computeLayout(request({ participants: people(3) }))[2]).toEqual({ participantId: 'p2', x: 320, y: 360, w: 640, h: 360 });
  });

  it('uses 3x3 for five to nine and 4x4 for ten to sixteen', () => {
    expect(gridShape(5)).toEqual({ columns: 3, rows: 3 });
    expect(gridShape(9)).toEqual({ columns: 3, rows: 3 });
    expect(gridShape(10)).toEqual({ columns: 4, rows: 4 });
    const nine = computeLayout(request({ width: 1920, height: 1080, participants: people(9) }));
    expect(nine).toHaveLength(9);
    expect(nine[4]).toEqual({ participantId: 'p4', x: 640, y: 360, w: 640, h: 360 });
    const sixteen = computeLayout(request({ participants: people(16) }));
    expect(sixteen[15]).toEqual({ participantId: 'p15', x: 960, y: 540, w: 320, h: 180 });
    // 5 in 3x3: two full rows are 3+2, the grid's unused third row splits into top and bottom margins.
    const five = computeLayout(request({ width: 1920, height: 1080, participants: people(5) }));
    expect(five.map((t) => [t.x, t.y])).toEqual([[0, 180], [640, 180], [1280, 180], [320, 540], [960, 540]]);
  });

  it('shows the 16 most recent speakers beyond 16, in join order', () => {
    // p0..p19; p3 and p7 never spoke, p1 and p2 spoke longest ago, p0 most recently.
    const spoke = (i: number) => (i === 3 || i === 7 ? undefined : i === 0 ? 9000 : 1000 + i * (i === 1 || i === 2 ? 1 : 100));
    const tiles = computeLayout(request({ participants: people(20, spoke) }));
    expect(tiles).toHaveLength(16);
    expect(ids(tiles)).toEqual(['p0', 'p4', 'p5', 'p6', 'p8', 'p9', 'p10', 'p11', 'p12', 'p13', 'p14', 'p15', 'p16', 'p17', 'p18', 'p19']);
  });

  it('leaves the viewer out without self view and keeps it with self view', () => {
    const room = people(3);
    expect(ids(computeLayout(request({ participants: room, viewerId: 'p1', selfView: false })))).toEqual(['p0', 'p2']);
    expect(ids(computeLayout(request({ participants: room, viewerId: 'p1', selfView: true })))).toEqual(['p0', 'p1', 'p2']);
  });

  it('shows a lone viewer without self view one placeholder tile, and an empty room nothing', () => {
    expect(computeLayout(request({ participants: people(1), viewerId: 'p0', selfView: false }))).toEqual([
      { participantId: null, x: 0, y: 0, w: 1280, h: 720 },
    ]);
    expect(computeLayout(request({ participants: [], viewerId: null }))).toEqual([]);
    expect(computeLayout(request({ layout: 'speaker', participants: [], viewerId: 'gone', selfView: false }))).toEqual([]);
  });

  it('keeps audio-only participants as tiles', () => {
    const room = [...people(1), { id: 'phone', name: 'Phone', hasVideo: false }];
    expect(ids(computeLayout(request({ participants: room })))).toEqual(['p0', 'phone']);
  });
});

describe('computeLayout speaker', () => {
  it('shows the active speaker large and the others as thumbnails', () => {
    const tiles = computeLayout(request({ layout: 'speaker', participants: people(3), activeSpeakerId: 'p2' }));
    expect(tiles).toEqual([
      { participantId: 'p2', x: 128, y: 0, w: 1024, h: 576 },
      { participantId: 'p0', x: 384, y: 576, w: 256, h: 144 },
      { participantId: 'p1', x: 640, y: 576, w: 256, h: 144 },
    ]);
  });

  it('takes the most recent speaker when none is given and at most five thumbnails', () => {
    const tiles = computeLayout(request({ layout: 'speaker', participants: people(9, (i) => i * 10) }));
    expect(ids(tiles)).toEqual(['p8', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(tiles.slice(1).map((t) => t.x)).toEqual([0, 256, 512, 768, 1024]);
  });

  it('gives the viewer who speaks the previous speaker large, without its own thumbnail', () => {
    const room = people(3, (i) => [100, 300, 200][i]);
    const tiles = computeLayout(request({ layout: 'speaker', participants: room, activeSpeakerId: 'p1', viewerId: 'p1', selfView: false }));
    expect(ids(tiles)).toEqual(['p2', 'p0']);
  });

  it('uses the whole picture for a single shown participant', () => {
    expect(computeLayout(request({ layout: 'speaker', participants: people(1) }))).toEqual([{ participantId: 'p0', x: 0, y: 0, w: 1280, h: 720 }]);
  });
});

describe('computeLayout single', () => {
  it('shows only the active speaker, or the previous one to the speaker itself', () => {
    const room = people(3, (i) => [100, 300, 200][i]);
    expect(ids(computeLayout(request({ layout: 'single', participants: room })))).toEqual(['p1']);
    expect(ids(computeLayout(request({ layout: 'single', participants: room, viewerId: 'p1', selfView: false })))).toEqual(['p2']);
    expect(ids(computeLayout(request({ layout: 'single', participants: room, viewerId: 'p1', selfView: true })))).toEqual(['p1']);
    expect(ids(computeLayout(request({ layout: 'single', participants: people(2) })))).toEqual(['p0']);
  });
});

describe('computeLayout geometry', () => {
  it('keeps every tile even, inside the picture, of the picture ratio and free of overlaps', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('auto' as const, 'speaker' as const, 'single' as const),
        fc.integer({ min: 1, max: 960 }).map((v) => v * 2),
        fc.integer({ min: 1, max: 540 }).map((v) => v * 2),
        fc.integer({ min: 0, max: 24 }),
        fc.boolean(),
        (layout, width, height, count, selfView) => {
          const tiles = computeLayout(request({ layout, width, height, participants: people(count), selfView, viewerId: 'p0' }));
          for (const t of tiles) {
            for (const v of [t.x, t.y, t.w, t.h]) expect(v % 2).toBe(0);
            expect(t.x).toBeGreaterThanOrEqual(0);
            expect(t.y).toBeGreaterThanOrEqual(0);
            expect(t.x + t.w).toBeLessThanOrEqual(width);
            expect(t.y + t.h).toBeLessThanOrEqual(height);
          }
          for (let i = 0; i < tiles.length; i++) {
            for (let j = i + 1; j < tiles.length; j++) {
              const a = tiles[i];
              const b = tiles[j];
              const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
              expect(apart).toBe(true);
            }
          }
          const others = selfView ? count : count - 1;
          const expected = count === 0 ? 0 : others === 0 ? 1 : layout === 'auto' ? Math.min(16, others) : layout === 'speaker' ? Math.min(6, others) : 1;
          expect(tiles.length).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps aspect for CIF pictures and a given tile ratio', () => {
    const cif = computeLayout(request({ width: 352, height: 288, participants: people(4) }));
    expect(cif[3]).toEqual({ participantId: 'p3', x: 176, y: 144, w: 176, h: 144 });
    const wide = computeLayout(request({ width: 352, height: 288, participants: people(1), tileAspect: 16 / 9 }));
    expect(wide).toEqual([{ participantId: 'p0', x: 0, y: 44, w: 352, h: 198 }]);
  });

  it('rejects odd or empty sizes', () => {
    expect(() => computeLayout(request({ width: 641 }))).toThrow(InvalidArgumentError);
    expect(() => computeLayout(request({ height: 0 }))).toThrow(InvalidArgumentError);
    expect(() => computeLayout(request({ tileAspect: 0 }))).toThrow(InvalidArgumentError);
  });

  it('gives equal keys to equal views only', () => {
    const a = computeLayout(request({ participants: people(3), viewerId: 'p0', selfView: false }));
    const b = computeLayout(request({ participants: people(3), viewerId: 'p0', selfView: false }));
    const c = computeLayout(request({ participants: people(3), viewerId: 'p1', selfView: false }));
    expect(layoutKey(a)).toBe(layoutKey(b));
    expect(layoutKey(a)).not.toBe(layoutKey(c));
  });
});
