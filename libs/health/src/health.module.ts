import { Module } from '@nestjs/common';
import { HealthService } from './health.service';
import { QueueProbeService } from './queue-probe.service';

@Module({
  providers: [HealthService, QueueProbeService],
  exports: [HealthService, QueueProbeService],
})
export class HealthModule {}
