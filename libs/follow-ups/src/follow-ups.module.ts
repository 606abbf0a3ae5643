import { Global, Module } from '@nestjs/common';
import { RemindersModule } from '@app/reminders';
import { VISIT_EVENTS } from '@app/scheduling';
import { FollowUpVisitEvents } from './follow-up-visit-events';
import { FollowUpsService } from './follow-ups.service';

/**
 * Follow-up flags and panels; used by the API (worklist, panel) and the worker (scan).
 * Global so that scheduling's visit events reach it without the two libraries importing
 * each other's modules.
 */
@Global()
@Module({
  imports: [RemindersModule],
  providers: [FollowUpsService, { provide: VISIT_EVENTS, useClass: FollowUpVisitEvents }],
  exports: [FollowUpsService, VISIT_EVENTS],
})
export class FollowUpsModule {}
