import { Global, Module, type DynamicModule } from '@nestjs/common';
import { MCU_CONFIG, type McuConfig } from './mcu-config';

/**
 * Provides the validated `McuConfig` to the whole application under the token `MCU_CONFIG`.
 * The configuration is loaded once by `main.ts` (or a test) and handed in; nothing re-reads the
 * environment afterwards.
 */
@Global()
@Module({})
export class ConfigModule {
  /** A global module exporting `MCU_CONFIG` = `config`. */
  static forRoot(config: McuConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: MCU_CONFIG, useValue: config }],
      exports: [MCU_CONFIG],
    };
  }
}
