import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { Reminders1764000000001 } from './1764000000001-reminders';
import { FollowUpFlags1764000000002 } from './1764000000002-follow-up-flags';
import { FlagOwnerKeys1764000000003 } from './1764000000003-flag-owner-keys';
import { PlanVisitFacts1764000000004 } from './1764000000004-plan-visit-facts';

/** Every migration, in order. New ones are appended here (no glob loading: builds stay explicit). */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  Reminders1764000000001,
  FollowUpFlags1764000000002,
  FlagOwnerKeys1764000000003,
  PlanVisitFacts1764000000004,
];
