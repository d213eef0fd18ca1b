import { InvalidArgumentError } from '../errors';
import { compositeFilterGraph, drawtextFilter, escapeFilterValue, labelText } from './filtergraph';
import type { Tile } from './layout';

describe('filtergraph escaping', () => {
  it('escapes for the option list and then for the graph (ffmpeg-filters "Notes on filtergraph escaping")', () => {
    expect(escapeFilterValue("this is a 'string': may contain one, or more, special characters")).toBe(
      "this is a \\\\\\'string\\\\\\'\\\\: may contain one\\, or more\\, special characters",
    );
    expect(escapeFilterValue('a[b];c\\d')).toBe('a\\[b\\]\\;c\\\\\\\\d');
  });

  it('cleans display names into one short line', () => {
    expect(labelText('  Alice\r\nSmith\t ')).toBe('Alice Smith');
    expect(labelText('x'.repeat(50))).toBe(`${'x'.repeat(39)}…`);
    expect([...labelText('😀'.repeat(45))]).toHaveLength(40);
  });

  it('draws literal text (expansion off) at the tile bottom by default', () => {
    expect(drawtextFilter({ text: '%{pts}', fontFile: '/f.ttf', fontSize: 20 })).toBe(
      'drawtext=fontfile=/f.ttf:expansion=none:text=%{pts}:fontsize=20:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=5:x=8:y=h-th-8',
    );
  });
});

describe('compositeFilterGraph', () => {
  const tiles: Tile[] = [
    { participantId: 'a', x: 0, y: 180, w: 640, h: 360 },
    { participantId: 'b', x: 640, y: 180, w: 640, h: 360 },
  ];
  const base = { width: 1280, height: 720, frameRate: 25, tiles, inputs: new Map([['a', 0]]), names: new Map([['a', 'Ann'], ['b', 'Bob']]) };

  it('scales and pads each input into its tile and overlays it on a black picture', () => {
    expect(compositeFilterGraph({ ...base, fontFile: null }).split(';')).toEqual([
      '[0:v]scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[t0]',
      'color=c=0x303030:s=640x360:r=25,format=yuv420p[t1]',
      'color=c=black:s=1280x720:r=25,format=yuv420p[base]',
      '[base][t0]overlay=x=0:y=180:eof_action=repeat:shortest=0[o0]',
      '[o0][t1]overlay=x=640:y=180:eof_action=repeat:shortest=0[out]',
    ]);
  });

  it('labels tiles when a font is there, and stacks with xstack on request', () => {
    const graph = compositeFilterGraph({ ...base, fontFile: '/f.ttf', method: 'xstack' });
    expect(graph).toContain('drawtext=fontfile=/f.ttf:expansion=none:text=Ann:fontsize=30');
    expect(graph).toContain('text=Bob');
    expect(graph.split(';').pop()).toBe('[t0][t1]xstack=inputs=2:layout=0_180|640_180:fill=black,pad=1280:720:0:0:color=black[out]');
  });

  it('sends a slate without tiles and a waiting placeholder to a lone viewer', () => {
    expect(compositeFilterGraph({ ...base, tiles: [], fontFile: null })).toBe('color=c=black:s=1280x720:r=25,format=yuv420p[out]');
    const lone = compositeFilterGraph({ ...base, tiles: [{ participantId: null, x: 0, y: 0, w: 1280, h: 720 }], fontFile: '/f.ttf' });
    expect(lone).toContain('color=c=0x303030:s=1280x720');
    expect(lone).toContain('text=Waiting for others');
  });

  it('rejects impossible sizes and rates', () => {
    expect(() => compositeFilterGraph({ ...base, width: 3, fontFile: null })).toThrow(InvalidArgumentError);
    expect(() => compositeFilterGraph({ ...base, frameRate: 0, fontFile: null })).toThrow(InvalidArgumentError);
  });
});
