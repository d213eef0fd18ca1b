import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createMcuApp } from './app.factory';
import { ConfigError } from './config/config-error';
import { loadConfig } from './config/load-config';
import { configureLogging, createLogger, errorFields } from './logging/logger';

/** Exit status for an invalid configuration (sysexits.h EX_CONFIG). */
const EXIT_CONFIG = 78;
/** A shutdown that takes longer than this is cut short (exit 1), ms. */
const SHUTDOWN_DEADLINE_MS = 20_000;

const logger = createLogger('main');

/**
 * Starts the MCU: configuration (exit 78 naming every bad variable), Redis (embedded when needed),
 * the Nest application, the REST listener. SIGINT/SIGTERM shut down gracefully — every call hung
 * up, sockets and Redis closed — and exit 0.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tessera-mcu: ${err.message}\n`);
      logger.fatal({ problems: err.problems }, 'invalid configuration');
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  configureLogging({ level: config.logLevel });
  installCrashHandlers();

  const app = await createMcuApp(config);
  app.enableShutdownHooks(['SIGINT', 'SIGTERM'], { useProcessExit: true });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  logger.info({ url: `http://${host}:${address.port}`, docs: `http://${host}:${address.port}/api/docs`, authentication: config.apiKey !== undefined }, 'REST API listening');
}

/** Last-resort logging; an uncaught exception ends the process (the embedded Redis dies with it). */
function installCrashHandlers(): void {
  process.on('exit', (code) => logger.info({ code }, 'exited'));
  process.on('unhandledRejection', (reason) => logger.error(errorFields(reason), 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ ...errorFields(err), stack: err.stack }, 'uncaught exception');
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`tessera-mcu: cannot start: ${message}\n`);
  logger.fatal(errorFields(err), 'cannot start');
  process.exit(1);
});
