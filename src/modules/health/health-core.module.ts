import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { ShutdownState } from './shutdown-state';

/** Health building blocks other modules use for their own indicators (global: imported once in AppModule). */
@Global()
@Module({
  imports: [TerminusModule],
  providers: [DatabaseHealthIndicator, ShutdownState],
  exports: [DatabaseHealthIndicator, ShutdownState, TerminusModule],
})
export class HealthCoreModule {}
