import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, CLOCK, type AppConfig } from '@app/config';
import type { Clock, Modality } from '@app/domain';
import { decideDelivery, recipientOf, type DeliveryFacts } from './delivery-decision';
import { renderMessage } from './message';
import { ReminderFailures } from './reminder-failures';
import {
  TransportError,
  type OutgoingMessage,
  type RemoteTransport,
  type TransactionalTransport,
} from './transports/transport';
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

/** A row claimed as `sending` in the batch transaction, sent through a server after commit. */
interface Handoff {
  row: ClaimRow;
  transport: RemoteTransport;
}

interface LocalSend {
  row: ClaimRow;
  transport: TransactionalTransport;
}

interface Settlement {
  id: string;
  status: 'cancelled' | 'skipped';
  reason: string;
}

/** What the batch transaction leaves for one reminder: its outcome, or a send still to make. */
type Step = DeliveryOutcome | Handoff;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Delivers reminders at most once, a batch at a time. The rows are locked and re-checked
 * (decideDelivery) before anything is sent, and every step is one set-based statement for
 * the whole batch. The `log` transport writes the messages and the `sent` status in that
 * one transaction, so a crash leaves nothing half-done. Other transports first commit
 * `sending`; a claim that never reports back is settled by the reconciler as failed
 * (delivery unknown) rather than risk a second message.
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

  /** One reminder: a batch of one. */
  deliver(reminderId: string): Promise<DeliveryOutcome> {
    return this.deliverMany([reminderId])[0];
  }

  /**
   * Delivers these reminders in one transaction and returns one outcome per id, in order.
   * If that transaction fails, every outcome rejects: nothing was committed, so a retry
   * cannot send twice. A reminder for a real channel is sent after commit, so its outcome
   * settles (or fails) on its own. An id listed twice is delivered once; the repeat is
   * not_pending, as a second concurrent delivery of the same row would be.
   */
  deliverMany(ids: string[]): Promise<DeliveryOutcome>[] {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    const steps = this.db.transaction((em) => this.deliverInTransaction(em, unique));
    return ids.map(async (id, index) => {
      const step = (await steps).get(id) ?? 'not_pending';
      if (ids.indexOf(id) !== index) return 'not_pending';
      return typeof step === 'string' ? step : this.sendRemote(step);
    });
  }

  private async deliverInTransaction(em: EntityManager, ids: string[]): Promise<Map<string, Step>> {
    const rows = await this.lockAll(em, ids);
    const now = this.clock.now().toMillis();
    // No row: gone, or locked by another delivery, which will settle it.
    const steps = new Map<string, Step>(ids.map((id) => [id, 'not_pending']));
    const settlements: Settlement[] = [];
    const local: LocalSend[] = [];
    const remote: Handoff[] = [];
    for (const row of rows) {
      const decision = decideDelivery(row, now);
      if (decision === 'send') {
        const claimed = { ...row, attempts: row.attempts + 1 };
        const transport = this.transports.for(row.channel);
        if (transport.transactional) local.push({ row: claimed, transport });
        else remote.push({ row: claimed, transport });
      } else if (typeof decision === 'string') {
        steps.set(row.id, decision);
      } else {
        settlements.push({ id: row.id, ...decision });
        steps.set(row.id, decision.status);
      }
    }
    await this.settle(em, settlements);
    await this.claim(em, remote);
    for (const id of await this.sendLocally(em, local)) steps.set(id, 'sent');
    for (const handoff of remote) steps.set(handoff.row.id, handoff);
    return steps;
  }

  /** Locks the rows no other delivery holds, with what the rules and the message need. */
  private async lockAll(em: EntityManager, ids: string[]): Promise<ClaimRow[]> {
    // A malformed id would fail the uuid cast, and with it every other reminder of the batch.
    const wellFormed = ids.filter((id) => UUID.test(id));
    if (wellFormed.length === 0) return [];
    return em.query<ClaimRow[]>(
      `SELECT r.id, r.patient_id, r.appointment_id, a.care_plan_id, r.kind, r.channel, r.status, r.planned_for, r.send_at, r.attempts,
              a.status AS visit_status, a.starts_at, a.modality,
              p.first_name, p.phone, p.email, p.consent_sms, p.consent_email, coalesce(p.timezone, l.timezone) AS zone,
              l.name AS location_name, l.address, l.phone AS clinic_phone
         FROM reminders r
         JOIN appointments a ON a.id = r.appointment_id
         JOIN patients p ON p.id = r.patient_id
         JOIN locations l ON l.id = a.location_id
        WHERE r.id = ANY($1::uuid[])
        FOR UPDATE OF r SKIP LOCKED`,
      [wellFormed],
    );
  }

  /** Rows that may not go out (visit cancelled or moved, no consent, …) say why. */
  private async settle(em: EntityManager, settlements: Settlement[]): Promise<void> {
    if (settlements.length === 0) return;
    await em.query(
      `UPDATE reminders r SET status = s.status, reason = s.reason, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS s(id, status, reason)
        WHERE r.id = s.id`,
      [
        settlements.map((s) => s.id),
        settlements.map((s) => s.status),
        settlements.map((s) => s.reason),
      ],
    );
  }

  /** Real channels: commit the claim first, so a crash while sending is visible as `sending`. */
  private async claim(em: EntityManager, handoffs: Handoff[]): Promise<void> {
    if (handoffs.length === 0) return;
    await em.query(
      `UPDATE reminders r SET status = 'sending', attempts = c.attempts, claimed_at = now(), transport = c.transport, updated_at = now()
         FROM unnest($1::uuid[], $2::int[], $3::text[]) AS c(id, attempts, transport)
        WHERE r.id = c.id`,
      [
        handoffs.map((h) => h.row.id),
        handoffs.map((h) => h.row.attempts),
        handoffs.map((h) => h.transport.name),
      ],
    );
  }

  /** Transactional transports: the messages and the `sent` status commit together. Returns the sent ids. */
  private async sendLocally(em: EntityManager, sends: LocalSend[]): Promise<string[]> {
    if (sends.length === 0) return [];
    const sent: { row: ClaimRow; transport: TransactionalTransport; messageId: string }[] = [];
    for (const [transport, rows] of groupByTransport(sends)) {
      const messageIds = await transport.sendMany(rows.map(outgoingMessage), em);
      for (const row of rows) {
        const messageId = messageIds.get(row.id);
        if (!messageId) throw new Error(`the ${transport.name} transport recorded no message`);
        sent.push({ row, transport, messageId });
      }
    }
    await em.query(
      `UPDATE reminders r SET status = 'sent', sent_at = now(), transport_message_id = s.message_id, transport = s.transport,
              attempts = s.attempts, last_error = NULL, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[]) AS s(id, message_id, transport, attempts)
        WHERE r.id = s.id AND r.status IN ('pending', 'sending')`,
      [
        sent.map((s) => s.row.id),
        sent.map((s) => s.messageId),
        sent.map((s) => s.transport.name),
        sent.map((s) => s.row.attempts),
      ],
    );
    return sent.map((s) => s.row.id);
  }

  /** After the claim committed: one message through a server, then its outcome in its own statement. */
  private async sendRemote({ row, transport }: Handoff): Promise<DeliveryOutcome> {
    let messageId: string;
    try {
      ({ messageId } = await transport.send(outgoingMessage(row)));
    } catch (error) {
      return this.recordFailure(row, error);
    }
    // The message is out. If recording that fails, the row must not go back to pending
    // (a retry would send it twice): it stays `sending`, a retried job finds it not
    // pending, and the reconciler settles it as delivery unknown.
    await this.db.query(
      `UPDATE reminders SET status = 'sent', sent_at = now(), transport_message_id = $2, transport = $3, attempts = $4,
              last_error = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'sending')`,
      [row.id, messageId, transport.name, row.attempts],
    );
    return 'sent';
  }

  /** The server refused or was unreachable: back to pending for a retry, or failed for good. */
  private async recordFailure(row: ClaimRow, error: unknown): Promise<DeliveryOutcome> {
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
    throw error; // BullMQ retries with backoff
  }
}

function outgoingMessage(row: ClaimRow): OutgoingMessage {
  const { subject, body } = renderMessage({
    kind: row.kind,
    firstName: row.first_name,
    startsAt: row.starts_at,
    zone: row.zone,
    modality: row.modality,
    locationName: row.location_name,
    address: row.address,
    clinicPhone: row.clinic_phone,
  });
  return {
    reminderId: row.id,
    patientId: row.patient_id,
    channel: row.channel,
    recipient: recipientOf(row)!, // decideDelivery skipped the rows without one
    subject,
    body,
  };
}

/** Both channels may share one transport (`log`): one sendMany per transport, not per channel. */
function groupByTransport(sends: LocalSend[]): Map<TransactionalTransport, ClaimRow[]> {
  const groups = new Map<TransactionalTransport, ClaimRow[]>();
  for (const { row, transport } of sends) {
    const rows = groups.get(transport) ?? [];
    rows.push(row);
    groups.set(transport, rows);
  }
  return groups;
}
