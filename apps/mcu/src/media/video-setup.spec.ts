import { FfmpegLocator, FfmpegNotFoundError } from '@mcu/media-mixer';
import { locateVideo, type VideoSetupLogger } from './video-setup';

/** Collects log lines by level. */
function recordingLogger(): VideoSetupLogger & { lines: Array<{ level: string; obj: object; msg: string }> } {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  return {
    lines,
    info: (obj, msg) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj, msg }),
  };
}

describe('locateVideo: ffmpeg for the video pipeline at start-up', () => {
  it('finds the system ffmpeg through FFMPEG_PATH, with its encoders and a label font', async () => {
    const logger = recordingLogger();
    const setup = await locateVideo({ logger, locator: new FfmpegLocator({ env: { FFMPEG_PATH: '/usr/bin/ffmpeg', PATH: '' }, resolveFfmpegStatic: () => null }) });
    expect(setup.videoUnavailable).toBeUndefined();
    expect(setup.video?.ffmpeg).toMatchObject({ path: '/usr/bin/ffmpeg', source: 'FFMPEG_PATH' });
    // Debian's ffmpeg 5.1 has all the encoders the MCU offers on SIP.
    expect(setup.video?.capabilities.videoEncoders).toMatchObject({ libx264: true, libvpx: true, h263: true, h263p: true });
    if (setup.video?.capabilities.drawtext) expect(setup.video.fontFile).toMatch(/\.(ttf|otf|ttc)$/i);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'video pipeline ready', obj: expect.objectContaining({ ffmpeg: '/usr/bin/ffmpeg', encoders: expect.arrayContaining(['libx264', 'libvpx']) }) }));
  });

  it('without any usable ffmpeg returns why and logs one error naming FFMPEG_PATH, ffmpeg-static and PATH', async () => {
    const logger = recordingLogger();
    const locator = new FfmpegLocator({
      env: { FFMPEG_PATH: '/nonexistent/ffmpeg', PATH: '/nonexistent' },
      resolveFfmpegStatic: () => {
        throw new Error("Cannot find module 'ffmpeg-static'");
      },
    });
    const setup = await locateVideo({ logger, locator });
    expect(setup.video).toBeUndefined();
    expect(setup.videoUnavailable).toBeInstanceOf(FfmpegNotFoundError);
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    for (const place of ['FFMPEG_PATH', 'ffmpeg-static', 'PATH']) expect(errors[0]?.msg).toContain(place);
    expect(errors[0]?.msg).toContain('Audio works');
  });

  it('warns when FFMPEG_PATH is set but unusable and another place gave ffmpeg', async () => {
    const logger = recordingLogger();
    const env = { FFMPEG_PATH: '/nonexistent/ffmpeg', PATH: '/usr/bin' };
    const setup = await locateVideo({ logger, env, locator: new FfmpegLocator({ env, resolveFfmpegStatic: () => null }) });
    expect(setup.video?.ffmpeg).toMatchObject({ path: '/usr/bin/ffmpeg', source: 'PATH' });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('FFMPEG_PATH /nonexistent/ffmpeg is not a usable ffmpeg') }));
  });

  it('skips the labels, not the video, when no font is found', async () => {
    const logger = recordingLogger();
    const setup = await locateVideo({
      logger,
      locator: new FfmpegLocator({ env: { FFMPEG_PATH: '/usr/bin/ffmpeg' }, resolveFfmpegStatic: () => null }),
      font: { fcMatchCommand: '/nonexistent/fc-match', knownPaths: [], fallbacks: [] },
    });
    expect(setup.video?.ffmpeg.path).toBe('/usr/bin/ffmpeg');
    expect(setup.video?.fontFile).toBeUndefined();
    expect(logger.lines.some((l) => l.level === 'warn' && /no names/.test(l.msg))).toBe(true);
  });
});
