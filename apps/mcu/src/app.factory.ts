import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import type { McuConfig } from './config/mcu-config';
import { PinoNestLogger } from './logging/pino-nest-logger';

/**
 * Builds the MCU application for `config` (not yet listening): Nest logs through pino, keep-alive
 * connections are closed on shutdown, OpenAPI is served at `/api/docs` (JSON at `/api/docs-json`).
 *
 * @throws whatever a module's start-up throws (e.g. `RedisUnavailableError`), instead of aborting
 *   the process, so the caller can report it.
 */
export async function createMcuApp(config: McuConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: new PinoNestLogger(),
    abortOnError: false,
    forceCloseConnections: true,
  });
  const openApi = new DocumentBuilder()
    .setTitle('Tessera MCU')
    .setDescription('Rooms, participants, SIP users and registrations of the Tessera conferencing server.')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'MCU_API_KEY, when the MCU is configured with one.' })
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
