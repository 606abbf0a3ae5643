import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NoShowVisit, VisitEvents } from '@app/scheduling';
import { FollowUpsService } from './follow-ups.service';

/** A no-show opens a `no_show` flag in the same transaction as the status change. */
@Injectable()
export class FollowUpVisitEvents implements VisitEvents {
  constructor(private readonly followUps: FollowUpsService) {}

  async noShow(em: EntityManager, visit: NoShowVisit): Promise<void> {
    await this.followUps.openNoShow(em, visit);
  }
}
