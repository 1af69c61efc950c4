import { Module } from '@nestjs/common';
import { SingletonJobsService } from './singleton-jobs.service';

@Module({
  providers: [SingletonJobsService],
  exports: [SingletonJobsService],
})
export class SchedulingModule {}
