import { Writable } from 'node:stream';
import pino from 'pino';
import { PinoNestLogger } from './pino-nest-logger';

/** A pino logger writing its JSON lines into `lines`. */
function capture(level = 'trace'): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('PinoNestLogger', () => {
  it('maps Nest levels and the context parameter', () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.warn('careful');
    nest.debug('details', 'Ctx');
    nest.verbose('very', 'Ctx');
    nest.fatal('gone', 'Ctx');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      [30, 'Mapped {/health, GET} route', 'RouterExplorer'],
      [40, 'careful', undefined],
      [20, 'details', 'Ctx'],
      [10, 'very', 'Ctx'],
      [60, 'gone', 'Ctx'],
    ]);
  });

  it('keeps the stack of Nest error calls apart from the context', () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);
    const err = new Error('listen EADDRINUSE');
    nest.error('failed', err.stack, 'NestApplication');
    nest.error(err);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'failed', context: 'NestApplication', stack: err.stack });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'listen EADDRINUSE', err: 'Error: listen EADDRINUSE', stack: err.stack });
  });

  it('logs objects as detail and honours the level', () => {
    const { logger, lines } = capture('warn');
    const nest = new PinoNestLogger(logger);
    nest.log({ route: '/x' });
    nest.warn({ route: '/y' }, 'Ctx');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: '', detail: { route: '/y' }, context: 'Ctx' });
  });
});
