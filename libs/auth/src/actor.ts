import type { UserRole } from '@app/database';

/** Who is acting: passed explicitly to every service method that reads or changes records. */
export interface Actor {
  userId: string;
  role: UserRole;
  providerId: string | null;
  requestId?: string;
}

/** The worker and scans act as the system. */
export const SYSTEM_ACTOR: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  role: 'admin',
  providerId: null,
};

export function isStaff(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'front_desk';
}
