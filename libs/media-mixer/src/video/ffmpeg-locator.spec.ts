import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FfmpegLocator, parseCodecList, parseFilterList } from './ffmpeg-locator';
import { FfmpegNotFoundError } from './video-errors';

/** Debian's ffmpeg package is installed on the machines that run these tests. */
const DEBIAN_PATH = '/usr/local/bin:/usr/bin:/bin';

describe('FfmpegLocator', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'ffmpeg-locator-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  function script(name: string, body: string): string {
    const file = path.join(scratch, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('finds the Debian ffmpeg on PATH when neither FFMPEG_PATH nor the package gives one', async () => {
    const locator = new FfmpegLocator({ env: { PATH: DEBIAN_PATH }, resolveFfmpegStatic: () => null });
    const found = await locator.locate();
    expect(found.source).toBe('PATH');
    expect(path.basename(found.path)).toBe('ffmpeg');
    expect(found.version).toMatch(/^\S*\d/);
  });

  it('falls through when FFMPEG_PATH names a missing file', async () => {
    const missing = path.join(scratch, 'no-such-ffmpeg');
    const locator = new FfmpegLocator({ env: { FFMPEG_PATH: missing, PATH: DEBIAN_PATH } });
    const found = await locator.locate();
    expect(found.source).toBe('PATH');
  });

  it('prefers FFMPEG_PATH when it names a working ffmpeg', async () => {
    const debian = await new FfmpegLocator({ env: { PATH: DEBIAN_PATH }, resolveFfmpegStatic: () => null }).locate();
    const wrapper = script('my-ffmpeg', `exec ${debian.path} "$@"`);
    const found = await new FfmpegLocator({ env: { FFMPEG_PATH: wrapper, PATH: '/nonexistent' } }).locate();
    expect(found).toEqual({ path: wrapper, source: 'FFMPEG_PATH', version: debian.version });
  });

  it('uses the ffmpeg-static path when it exists and runs', async () => {
    const debian = await new FfmpegLocator({ env: { PATH: DEBIAN_PATH }, resolveFfmpegStatic: () => null }).locate();
    const packaged = script('static-ffmpeg', `exec ${debian.path} "$@"`);
    const found = await new FfmpegLocator({ env: { PATH: DEBIAN_PATH }, resolveFfmpegStatic: () => packaged }).locate();
    expect(found.source).toBe('ffmpeg-static');
    expect(found.path).toBe(packaged);
  });

  it('asks the real ffmpeg-static package by default (absent, or installed without its binary)', async () => {
    // npm removes the optional package when its install-time download fails; where the download was
    // skipped instead, the package is there without a binary. Either way the locator says which.
    let packageDir: string | undefined;
    try {
      packageDir = path.dirname(require.resolve('ffmpeg-static'));
    } catch {
      packageDir = undefined;
    }
    const outcome = await new FfmpegLocator({ env: { PATH: '' } }).locate().catch((e: unknown) => e);
    if (outcome instanceof FfmpegNotFoundError) {
      const failure = outcome.failures[1];
      expect(failure.source).toBe('ffmpeg-static');
      if (packageDir === undefined) expect(failure.reason).toMatch(/package not loadable/);
      else expect(failure.path).toBe(path.join(packageDir, 'ffmpeg'));
    } else {
      expect(packageDir).toBeDefined();
      expect((outcome as { path: string; source: string }).source).toBe('ffmpeg-static');
    }
  });

  it('names all three places when nothing works (package binary missing, bogus PATH)', async () => {
    const locator = new FfmpegLocator({
      env: { PATH: path.join(scratch, 'bogus-bin') },
      resolveFfmpegStatic: () => path.join(scratch, 'node_modules', 'ffmpeg-static', 'ffmpeg'),
    });
    const error = await locator.locate().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    const notFound = error as FfmpegNotFoundError;
    expect(notFound.failures.map((f) => f.source)).toEqual(['FFMPEG_PATH', 'ffmpeg-static', 'PATH']);
    expect(notFound.message).toContain('FFMPEG_PATH');
    expect(notFound.message).toContain('ffmpeg-static');
    expect(notFound.message).toContain('PATH');
    expect(notFound.failures[0].reason).toBe('not set');
    expect(notFound.failures[1].reason).toBe('file does not exist');
    expect(notFound.failures[2].reason).toMatch(/no executable ffmpeg in PATH=/);
  });

  it('rejects candidates that are not ffmpeg, exit non-zero, hang, or cannot load', async () => {
    const silent = script('silent', 'exit 0');
    const failing = script('failing', 'exit 3');
    const bin = path.join(scratch, 'bin-hanging');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'ffmpeg'), '#!/bin/sh\nexec sleep 5\n');
    chmodSync(path.join(bin, 'ffmpeg'), 0o755);
    const locator = new FfmpegLocator({
      env: { FFMPEG_PATH: silent, PATH: bin },
      resolveFfmpegStatic: () => {
        throw new Error("Cannot find module 'ffmpeg-static'");
      },
      timeoutMs: 300,
    });
    const error = (await locator.locate().catch((e: unknown) => e)) as FfmpegNotFoundError;
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect(error.failures[0]).toEqual({
      source: 'FFMPEG_PATH',
      path: silent,
      reason: 'does not print an ffmpeg version banner',
    });
    expect(error.failures[1].reason).toContain('package not loadable');
    expect(error.failures[2].reason).toMatch(/timed out/);

    const exit3 = new FfmpegLocator({ env: { FFMPEG_PATH: failing, PATH: '' }, resolveFfmpegStatic: () => null });
    const error3 = (await exit3.locate().catch((e: unknown) => e)) as FfmpegNotFoundError;
    expect(error3.failures[0].reason).toContain('exit status 3');
    expect(error3.failures[1].reason).toBe('package has no binary for this platform');
  });

  it('probes encoders, decoders and filters once and caches the result', async () => {
    const locator = new FfmpegLocator({ env: { PATH: DEBIAN_PATH }, resolveFfmpegStatic: () => null });
    const first = await locator.capabilities();
    expect(first.videoEncoders).toEqual({ libx264: true, libvpx: true, h263: true, h263p: true, h261: true });
    expect(first.drawtext).toBe(true);
    expect(first.decoders.has('h264')).toBe(true);
    expect(first.decoders.has('vp8')).toBe(true);
    expect(first.filters.has('overlay')).toBe(true);
    expect(await locator.capabilities()).toBe(first);
  });
});

describe('ffmpeg list parsing', () => {
  it('reads codec names after the separator only', () => {
    const text = [
      'Encoders:',
      ' V..... = Video',
      ' A..... = Audio',
      ' ------',
      ' V....D libx264              libx264 H.264 / AVC (codec h264)',
      ' V.S... h263p                H.263+ / H.263-1998 / H.263 version 2',
      ' A....D aac                  AAC (Advanced Audio Coding)',
      '',
    ].join('\n');
    expect([...parseCodecList(text)]).toEqual(['libx264', 'h263p', 'aac']);
  });

  it('reads filter names and skips the legend', () => {
    const text = [
      'Filters:',
      '  T.. = Timeline support',
      '  | = Source or sink filter',
      ' ... abench            A->A       Benchmark part of a filtergraph.',
      ' T.C drawtext          V->V       Draw text on top of video frames using libfreetype library.',
      ' .S. xstack            N->V       Stack video inputs into custom layout.',
      ' ... color             |->V       Provide an uniformly colored input.',
    ].join('\n');
    expect([...parseFilterList(text)]).toEqual(['abench', 'drawtext', 'xstack', 'color']);
  });
});
