import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import { ReminderFailures, type FailedReminder } from '@app/reminders';
import type { Actor } from '@app/auth';
import { CLOCK } from '@app/config';
import { decodeCursor, toPage, type Page } from '@app/database';
import { DomainError, ianaZone, type Clock, type PlanStatus } from '@app/domain';
import { CLOSE_REASONS, PLAN_FLAG_KINDS, zeroCounts, type FlagKind } from './flag-kinds';
import {
  followUpView,
  panelEntryView,
  type FollowUpView,
  type PanelEntryView,
  type PanelRow,
  type ScanResult,
  type WorklistRow,
} from './follow-up.view';
import { panelKeyLength, panelQuery, worklistQuery, type PanelSort } from './list-sql';
import { CLOSE_FLAGS_SQL, OPEN_PLAN_FLAGS_SQL } from './scan-sql';
import { suggestSlots, type SuggestionRequest } from './slot-suggestions';

/**
 * Serialises scans across every API and worker process on the database: a scan that
 * finds it taken returns at once instead of repeating the work. Arbitrary but fixed
 * (the migration lock is 727_211_001).
 */
export const FOLLOW_UP_SCAN_LOCK_KEY = 727_211_055;

/** How far ahead a worklist row looks for a free slot: a week, as the slot search's due window. */
const SUGGESTION_DAYS = 7;
/** Flags opened plus closed by one scan from which the table's statistics are refreshed. */
const RESTATS_AFTER_CHANGES = 1_000;
/**
 * Suggestions start a little after now: the patient has to be reached first, and a visit
 * starting this very minute would not count as booked ahead (`starts_at > now`).
 */
const SUGGESTION_LEAD_MINUTES = 60;

const VISIT_TYPE_FOR_TRACK = { medication: 'MED_CHECK', therapy: 'THERAPY' } as const;

export interface WorklistQuery {
  status?: 'open' | 'closed';
  kind?: FlagKind;
  providerId?: string;
  locationId?: string;
  limit: number;
  cursor?: string;
}

export interface PanelQuery {
  status?: PlanStatus[];
  track?: 'medication' | 'therapy';
  sort?: PanelSort;
  limit: number;
  cursor?: string;
}

/**
 * The front desk's worklist of follow-up flags and the clinician's panel. Flags are
 * opened and closed by a set-based scan (plan flags) and by the lifecycle hooks
 * (no-show, failed reminder); staff resolve them with a note.
 */
@Injectable()
export class FollowUpsService {
  private readonly logger = new Logger(FollowUpsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly reminderFailures: ReminderFailures,
  ) {}

  /**
   * Closes the flags whose condition ended, then opens those whose condition holds: two
   * statements in one transaction under a transaction-scoped advisory lock. Closing first
   * means a flag is never closed and reopened by the same scan; a second scan right
   * after finds nothing to do.
   */
  async scan(now: DateTime = this.clock.now()): Promise<ScanResult> {
    const result = await this.db.transaction(async (em): Promise<ScanResult> => {
      const [{ locked }] = await em.query<{ locked: boolean }[]>(
        `SELECT pg_try_advisory_xact_lock($1) AS locked`,
        [FOLLOW_UP_SCAN_LOCK_KEY],
      );
      if (!locked) return { skipped: true, ...this.totals([], []) };
      // A batch statement over every active plan: hash joins that fit in memory instead
      // of spilling, and no JIT compilation (it costs more than it saves here).
      await em.query(`SET LOCAL work_mem = '64MB'`);
      await em.query(`SET LOCAL jit = off`);
      const at = now.toJSDate();
      const closed = await em.query<{ kind: FlagKind; n: number }[]>(CLOSE_FLAGS_SQL, [at]);
      const opened = await em.query<{ kind: FlagKind; n: number }[]>(OPEN_PLAN_FLAGS_SQL, [at]);
      return { skipped: false, ...this.totals(opened, closed) };
    });
    if (result.opened + result.closed >= RESTATS_AFTER_CHANGES) await this.refreshFlagStats();
    // Counts only: no patient is named in the logs.
    this.logger.log(
      { skipped: result.skipped, opened: result.opened, closed: result.closed },
      'follow-up scan',
    );
    return result;
  }

  /**
   * A first scan can open 100 k flags in a table the planner still believes empty, and
   * the next scan's close statement would then pick nested loops sized for nothing (at
   * 1 M plans it ran into the 30 s statement timeout). Autovacuum analyzes too late for
   * a scan that follows right away, so a large change refreshes the statistics at once.
   */
  private async refreshFlagStats(): Promise<void> {
    try {
      await this.db.query(`ANALYZE follow_up_flags`);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'could not analyze follow_up_flags');
    }
  }

  /** The admin's "scan now": the same scan, audited. */
  async scanNow(actor: Actor): Promise<ScanResult> {
    const result = await this.scan(this.clock.now());
    await this.audit.record(actor, {
      action: 'scan',
      entity: 'follow_up_flags',
      details: { skipped: result.skipped, opened: result.opened, closed: result.closed },
    });
    return result;
  }

  /** In the caller's transaction, when a visit is marked no-show. Idempotent. */
  async openNoShow(
    em: EntityManager,
    appointment: { id: string; patientId: string; carePlanId: string | null },
  ): Promise<boolean> {
    const rows = await em.query<{ id: string }[]>(
      `INSERT INTO follow_up_flags (patient_id, care_plan_id, appointment_id, kind, opened_at)
       VALUES ($1, $2, $3, 'no_show', $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [appointment.patientId, appointment.carePlanId, appointment.id, this.clock.now().toJSDate()],
    );
    return rows.length > 0;
  }

  /** In the caller's transaction, when a reminder has failed for good. One flag per visit. */
  openReminderFailed(em: EntityManager, input: FailedReminder): Promise<boolean> {
    // The reminders library writes this flag (it cannot depend on follow-ups); one insert, one place.
    return this.reminderFailures.open(em, input);
  }

  /**
   * The worklist, most urgent first (lapsed, then the longest overdue). A clinician sees
   * the flags of their own plans and visits only. One query for the page, four for the
   * slot suggestions of the whole page, one audit insert.
   */
  async list(actor: Actor, query: WorklistQuery): Promise<Page<FollowUpView>> {
    const providerId = this.scopeProvider(actor, query.providerId);
    const state = query.status ?? 'open';
    const tag = state === 'open' ? 'o' : 'c';
    const key = decodeCursor(query.cursor, state === 'open' ? 4 : 3);
    if (key && key[0] !== tag)
      throw DomainError.validation('cursor', 'format', 'cursor is for another status');
    const now = this.clock.now();
    const { sql, params } = worklistQuery(now.toJSDate(), {
      state,
      kind: query.kind,
      providerId,
      locationId: query.locationId,
      limit: query.limit,
      after: key ? key.slice(1) : null,
    });
    const rows = await this.db.query<WorklistRow[]>(sql, params);
    const kept = rows.slice(0, query.limit);
    const earliest = now.plus({ minutes: SUGGESTION_LEAD_MINUTES });
    const suggestions = await suggestSlots(
      this.db.manager,
      earliest,
      kept.flatMap((row) => this.suggestionRequest(row, earliest) ?? []),
    );
    const page = toPage(
      rows,
      query.limit,
      (row) =>
        state === 'open'
          ? ['o', row.k0 ? 1 : 0, row.k1, row.id]
          : ['c', row.closed_key ?? '', row.id],
      (row) => followUpView(row, suggestions.get(row.id) ?? null),
    );
    await this.audit.recordMany(
      actor,
      page.items.map((item) => ({
        action: 'list' as const,
        entity: 'patient',
        entityId: item.patient.id,
        details: { via: 'follow-ups', flagId: item.id },
      })),
    );
    return page;
  }

  /** Staff close a flag by hand; the note says what was done (called, left a message, …). */
  async resolve(actor: Actor, id: string, note: string): Promise<FollowUpView> {
    if (!note.trim()) throw DomainError.validation('note', 'required', 'say what was done');
    return this.db.transaction(async (em) => {
      const [flag] = await em.query<{ closed_at: Date | null; provider_id: string | null }[]>(
        `SELECT x.closed_at, coalesce(c.provider_id, a.provider_id) AS provider_id
           FROM follow_up_flags x
           LEFT JOIN care_plans c ON c.id = x.care_plan_id
           LEFT JOIN appointments a ON a.id = x.appointment_id
          WHERE x.id = $1 FOR UPDATE OF x`,
        [id],
      );
      if (!flag) throw DomainError.notFound('follow-up flag', id);
      if (actor.role === 'clinician' && flag.provider_id !== actor.providerId)
        throw DomainError.forbidden('This follow-up is not on your panel');
      if (flag.closed_at)
        throw new DomainError('INVALID_TRANSITION', 'This follow-up is already closed');
      await em.query(
        `UPDATE follow_up_flags SET closed_at = $2, closed_by = $3, close_reason = $4, note = $5 WHERE id = $1`,
        [id, this.clock.now().toJSDate(), actor.userId, CLOSE_REASONS.resolved, note.trim()],
      );
      await this.audit.record(
        actor,
        { action: 'resolve', entity: 'follow_up_flag', entityId: id },
        em,
      );
      const { sql, params } = worklistQuery(this.clock.now().toJSDate(), {
        state: 'closed',
        limit: 1,
        after: null,
        flagId: id,
      });
      // The same row shape as the worklist, for this one flag.
      const [row] = await em.query<WorklistRow[]>(sql, params);
      return followUpView(row, null);
    });
  }

  /**
   * A provider's panel: one row per active plan they are responsible for, with the same
   * status the plan view shows (SQL twin of planStatus). The provider's own clinician
   * and admins only.
   */
  async panel(actor: Actor, providerId: string, query: PanelQuery): Promise<Page<PanelEntryView>> {
    if (actor.role === 'front_desk') throw DomainError.forbidden('The panel is for clinicians');
    if (actor.role === 'clinician' && actor.providerId !== providerId)
      throw DomainError.forbidden('This is not your panel');
    const sort = query.sort ?? 'urgency';
    const key = decodeCursor(query.cursor, panelKeyLength(sort) + 1);
    if (key && key[0] !== sort)
      throw DomainError.validation('cursor', 'format', 'cursor is for another sort');
    const { sql, params } = panelQuery(this.clock.now().toJSDate(), {
      providerId,
      statuses: query.status,
      track: query.track,
      sort,
      limit: query.limit,
      after: key ? key.slice(1) : null,
    });
    const rows = await this.db.query<PanelRow[]>(sql, params);
    if (rows.length === 0) {
      const [exists] = await this.db.query<unknown[]>(`SELECT 1 FROM providers WHERE id = $1`, [
        providerId,
      ]);
      if (!exists) throw DomainError.notFound('provider', providerId);
    }
    const page = toPage(
      rows,
      query.limit,
      (row): (string | number)[] => {
        switch (sort) {
          case 'urgency':
            return [sort, row.rank, row.due_on, row.id];
          case 'due':
            return [sort, row.due_on, row.id];
          case 'name':
            return [sort, row.sort_last, row.sort_first, row.id];
        }
      },
      panelEntryView,
    );
    await this.audit.recordMany(
      actor,
      page.items.map((item) => ({
        action: 'list' as const,
        entity: 'patient',
        entityId: item.patient.id,
        details: { via: 'panel', providerId },
      })),
    );
    return page;
  }

  /** Staff see every flag; a clinician only their own, and asking for another's is refused. */
  private scopeProvider(actor: Actor, providerId: string | undefined): string | undefined {
    if (actor.role !== 'clinician') return providerId;
    if (providerId && providerId !== actor.providerId)
      throw DomainError.forbidden("A clinician sees only their own patients' follow-ups");
    return actor.providerId ?? undefined;
  }

  /** What to look for: the plan's next visit, or a visit like the one missed; from `earliest` on. */
  private suggestionRequest(row: WorklistRow, earliest: DateTime): SuggestionRequest | null {
    if (row.closed_at) return null;
    const isPlanFlag = (PLAN_FLAG_KINDS as readonly string[]).includes(row.kind);
    const visitType =
      isPlanFlag && row.track
        ? VISIT_TYPE_FOR_TRACK[row.track]
        : row.kind === 'no_show'
          ? row.appointment_visit_type
          : null;
    if (!visitType) return null;
    // The due window, moved to start today once the due date has passed.
    const due =
      isPlanFlag && row.plan_due_on
        ? DateTime.fromISO(row.plan_due_on, { zone: ianaZone(row.zone) })
        : earliest.setZone(ianaZone(row.zone));
    return {
      key: row.id,
      providerId: row.provider_id,
      patientId: row.patient_id,
      visitType,
      from: DateTime.max(earliest, due.minus({ days: SUGGESTION_DAYS })),
      to: DateTime.max(earliest, due).plus({ days: SUGGESTION_DAYS }),
    };
  }

  private totals(
    opened: { kind: FlagKind; n: number }[],
    closed: { kind: FlagKind; n: number }[],
  ): Omit<ScanResult, 'skipped'> {
    const openedByKind = zeroCounts();
    const closedByKind = zeroCounts();
    for (const { kind, n } of opened) openedByKind[kind] = n;
    for (const { kind, n } of closed) closedByKind[kind] = n;
    const sum = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0);
    return { opened: sum(openedByKind), closed: sum(closedByKind), openedByKind, closedByKind };
  }
}
