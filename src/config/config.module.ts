import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from './app-config';
import { APP_CONFIG, AppConfigService } from './app-config.service';

/** Provides the config object the app was created with (validated before, by the launcher or a test). */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, AppConfigService],
      exports: [APP_CONFIG, AppConfigService],
    };
  }
}
