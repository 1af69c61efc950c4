import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validate } from './env.validation';
import { AppConfigService } from './app-config.service';

/**
 * Dynamic so that validation runs when the app is built (after the launcher has resolved DATABASE_URL),
 * not when this file is imported. The launcher already loaded `.env`.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, validate, ignoreEnvFile: true, cache: false })],
      providers: [AppConfigService],
      exports: [AppConfigService],
    };
  }
}
