import type { EntityManager } from 'typeorm';

export interface NoShowVisit {
  id: string;
  patientId: string;
  carePlanId: string | null;
}

/**
 * What other parts of the product do when a visit changes, inside the same transaction.
 * Follow-ups implements it (a no-show opens a flag at once); scheduling does not need to
 * know who listens, and no import cycle forms between the two libraries.
 */
export interface VisitEvents {
  noShow(em: EntityManager, visit: NoShowVisit): Promise<void>;
}

export const VISIT_EVENTS = Symbol('VISIT_EVENTS');
