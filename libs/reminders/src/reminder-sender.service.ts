import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, CLOCK, type AppConfig } from '@app/config';
import type { Clock, Modality } from '@app/domain';
import { decideDelivery, recipientOf, type DeliveryFacts } from './delivery-decision';
import { renderMessage } from './message';
import { ReminderFailures } from './reminder-failures';
import { TransportError, type Transport } from './transports/transport';
import { Transports } from './transports/transports';

export type DeliveryOutcome =
  'sent' | 'not_pending' | 'early' | 'cancelled' | 'skipped' | 'retry' | 'failed';

interface ClaimRow extends DeliveryFacts {
  id: string;
  patient_id: string;
  appointment_id: string;
  care_plan_id: string | null;
  kind: 'confirmation' | 'reminder';
  attempts: number;
  modality: Modality;
  first_name: string;
  zone: string;
  location_name: string;
  address: string | null;
  clinic_phone: string | null;
}

interface Handoff {
  row: ClaimRow;
  transport: Transport;
}

/**
 * Delivers one reminder, at most once. The row is locked and re-checked (still pending,
 * visit still active at the planned time, consent still given) before anything is sent.
 * The `log` transport writes the message and the `sent` status in one transaction, so a
 * crash leaves nothing half-done. Other transports first commit `sending`; a claim that
 * never reports back is settled by the reconciler as failed (delivery unknown) rather
 * than risk a second message.
 */
@Injectable()
export class ReminderSender {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly transports: Transports,
    private readonly failures: ReminderFailures,
  ) {}

  async deliver(reminderId: string): Promise<DeliveryOutcome> {
    const step = await this.db.transaction(async (em): Promise<DeliveryOutcome | Handoff> => {
      const row = await this.lock(em, reminderId);
      if (typeof row === 'string') return row;
      const claimed = { ...row, attempts: row.attempts + 1 };
      const transport = this.transports.for(row.channel);
      // Log transport: the delivery record and `sent` commit together, in this transaction.
      if (transport.transactional) return this.send(em, claimed, transport);
      // A real channel: commit the claim first, so a crash while sending is visible as `sending`.
      await em.query(
        `UPDATE reminders SET status = 'sending', attempts = $2, claimed_at = now(), transport = $3, updated_at = now() WHERE id = $1`,
        [reminderId, claimed.attempts, transport.name],
      );
      return { row: claimed, transport };
    });
    return typeof step === 'string' ? step : this.send(this.db.manager, step.row, step.transport);
  }

  /** Locks the row and decides whether it may go out now (settling it when it may not). */
  private async lock(em: EntityManager, id: string): Promise<ClaimRow | DeliveryOutcome> {
    const [row] = await em.query<ClaimRow[]>(
      `SELECT r.id, r.patient_id, r.appointment_id, a.care_plan_id, r.kind, r.channel, r.status, r.planned_for, r.send_at, r.attempts,
              a.status AS visit_status, a.starts_at, a.modality,
              p.first_name, p.phone, p.email, p.consent_sms, p.consent_email, coalesce(p.timezone, l.timezone) AS zone,
              l.name AS location_name, l.address, l.phone AS clinic_phone
         FROM reminders r
         JOIN appointments a ON a.id = r.appointment_id
         JOIN patients p ON p.id = r.patient_id
         JOIN locations l ON l.id = a.location_id
        WHERE r.id = $1
        FOR UPDATE OF r SKIP LOCKED`,
      [id],
    );
    if (!row) return 'not_pending';
    const decision = decideDelivery(row, this.clock.now().toMillis());
    if (decision === 'send') return row;
    if (typeof decision === 'string') return decision;
    await em.query(
      `UPDATE reminders SET status = $2, reason = $3, updated_at = now() WHERE id = $1`,
      [id, decision.status, decision.reason],
    );
    return decision.status;
  }

  private async send(
    em: EntityManager,
    row: ClaimRow,
    transport: Transport,
  ): Promise<DeliveryOutcome> {
    const message = renderMessage({
      kind: row.kind,
      firstName: row.first_name,
      startsAt: row.starts_at,
      zone: row.zone,
      modality: row.modality,
      locationName: row.location_name,
      address: row.address,
      clinicPhone: row.clinic_phone,
    });
    try {
      const { messageId } = await transport.send(
        {
          reminderId: row.id,
          patientId: row.patient_id,
          channel: row.channel,
          recipient: recipientOf(row)!, // decideDelivery skipped the rows without one
          ...message,
        },
        em,
      );
      await em.query(
        `UPDATE reminders SET status = 'sent', sent_at = now(), transport_message_id = $2, transport = $3, attempts = $4,
                last_error = NULL, updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'sending')`,
        [row.id, messageId, transport.name, row.attempts],
      );
      return 'sent';
    } catch (error) {
      if (transport.transactional) throw error; // rolled back whole; BullMQ retries
      const permanent = error instanceof TransportError && error.permanent;
      const last = permanent || row.attempts >= this.config.REMINDER_MAX_ATTEMPTS;
      await this.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE reminders SET status = $2, last_error = $3, claimed_at = NULL, updated_at = now() WHERE id = $1 AND status = 'sending'`,
          [row.id, last ? 'failed' : 'pending', (error as Error).message.slice(0, 500)],
        );
        if (last)
          await this.failures.open(tx, {
            reminderId: row.id,
            appointmentId: row.appointment_id,
            patientId: row.patient_id,
            carePlanId: row.care_plan_id,
          });
      });
      if (last) return 'failed';
      throw error;
    }
  }
}
