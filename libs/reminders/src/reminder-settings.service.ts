import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import type { Actor } from '@app/auth';
import { CLOCK } from '@app/config';
import type { Clock } from '@app/domain';
import { DEFAULT_POLICY, validatePolicy, type ReminderPolicy } from './reminder-policy';

/** Bookings read the policy on every insert; a few seconds of staleness across instances is harmless. */
const CACHE_MS = 5_000;

@Injectable()
export class ReminderSettingsService {
  private cached: { policy: ReminderPolicy; at: number } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async get(em: EntityManager = this.db.manager): Promise<ReminderPolicy> {
    const now = this.clock.now().toMillis();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.policy;
    const [row] = await em.query<{ value: ReminderPolicy }[]>(
      `SELECT value FROM clinic_settings WHERE key = 'reminders'`,
    );
    const policy = row?.value ?? DEFAULT_POLICY;
    this.cached = { policy, at: now };
    return policy;
  }

  async put(actor: Actor, input: ReminderPolicy): Promise<ReminderPolicy> {
    const policy = validatePolicy(input);
    await this.db.transaction(async (em) => {
      await em.query(
        `INSERT INTO clinic_settings (key, value, updated_at, updated_by) VALUES ('reminders', $1, now(), $2)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [JSON.stringify(policy), actor.userId],
      );
      await this.audit.record(
        actor,
        {
          action: 'update',
          entity: 'reminder_policy',
          details: { offsets: policy.offsets.map((o) => o.minutesBefore) },
        },
        em,
      );
    });
    this.cached = null;
    return policy;
  }

  /** Forgets the cached policy (tests and the re-plan job read the newest). */
  invalidate(): void {
    this.cached = null;
  }
}
