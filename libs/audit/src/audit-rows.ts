import type { Actor } from '@app/auth';

export type AuditAction =
  | 'create'
  | 'read'
  | 'update'
  | 'delete'
  | 'list'
  | 'transition'
  | 'override'
  | 'reschedule'
  | 'resolve'
  | 'scan';

export interface AuditEntry {
  action: AuditAction;
  entity: string;
  entityId?: string | null;
  /** Ids and codes only: audit rows are read by admins, but PHI stays in its own tables. */
  details?: Record<string, unknown>;
}

/** The audit rows of `entries` as one JSON parameter for {@link auditInsertSql}. */
export function auditRowsJson(actor: Actor, entries: AuditEntry[]): string {
  return JSON.stringify(
    entries.map((entry) => ({
      actor_id: actor.userId,
      actor_role: actor.role,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId ?? null,
      request_id: actor.requestId ?? null,
      details: entry.details ?? null,
    })),
  );
}

/**
 * An INSERT of the audit rows in parameter `param` (from {@link auditRowsJson}), usable
 * as a statement of its own or as a data-modifying CTE, so that a change and its audit
 * rows can be one statement; `onlyIf` is a condition such as `EXISTS (SELECT 1 FROM ins)`.
 */
export function auditInsertSql(param: string, onlyIf = 'true'): string {
  return `INSERT INTO audit_events (actor_id, actor_role, action, entity, entity_id, request_id, details)
    SELECT e.actor_id, e.actor_role, e.action, e.entity, e.entity_id, e.request_id, e.details
      FROM jsonb_to_recordset(${param}::jsonb)
        AS e(actor_id uuid, actor_role text, action text, entity text, entity_id uuid, request_id text, details jsonb)
     WHERE ${onlyIf}`;
}
