import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { isStaff, type Actor } from '@app/auth';
import { decodeCursor, toPage, type Page } from '@app/database';
import { DomainError } from '@app/domain';

export interface ReminderView {
  id: string;
  appointmentId: string;
  kind: 'confirmation' | 'reminder';
  offsetMinutes: number;
  channel: 'email' | 'sms';
  status: string;
  reason: string | null;
  plannedFor: string;
  sendAt: string;
  sentAt: string | null;
  attempts: number;
  lastError: string | null;
}

export interface MessageView {
  id: string;
  reminderId: string | null;
  patientId: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  createdAt: string;
}

interface ReminderRow {
  id: string;
  appointment_id: string;
  kind: 'confirmation' | 'reminder';
  offset_minutes: number;
  channel: 'email' | 'sms';
  status: string;
  reason: string | null;
  planned_for: Date;
  send_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
}

@Injectable()
export class ReminderViews {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async forAppointment(actor: Actor, appointmentId: string): Promise<ReminderView[]> {
    const [visit] = await this.db.query<{ provider_id: string }[]>(
      `SELECT provider_id FROM appointments WHERE id = $1`,
      [appointmentId],
    );
    if (!visit) throw DomainError.notFound('appointment', appointmentId);
    if (!isStaff(actor) && visit.provider_id !== actor.providerId)
      throw DomainError.forbidden('This visit is not on your schedule');
    const rows = await this.db.query<ReminderRow[]>(
      `SELECT id, appointment_id, kind, offset_minutes, channel, status, reason, planned_for, send_at, sent_at, attempts, last_error
         FROM reminders WHERE appointment_id = $1 ORDER BY planned_for, send_at, channel`,
      [appointmentId],
    );
    return rows.map((r) => ({
      id: r.id,
      appointmentId: r.appointment_id,
      kind: r.kind,
      offsetMinutes: r.offset_minutes,
      channel: r.channel,
      status: r.status,
      reason: r.reason,
      plannedFor: r.planned_for.toISOString(),
      sendAt: r.send_at.toISOString(),
      sentAt: r.sent_at?.toISOString() ?? null,
      attempts: r.attempts,
      lastError: r.last_error,
    }));
  }

  /** What the `log` transport recorded (admins: message bodies carry names and contact details). */
  async messages(
    actor: Actor,
    filter: { patientId?: string; limit: number; cursor?: string },
  ): Promise<Page<MessageView>> {
    const after = decodeCursor(filter.cursor, 1);
    const rows = await this.db.query<
      {
        id: string;
        reminder_id: string | null;
        patient_id: string;
        channel: string;
        recipient: string;
        subject: string | null;
        body: string;
        created_at: Date;
      }[]
    >(
      `SELECT id, reminder_id, patient_id, channel, recipient, subject, body, created_at FROM messages
        WHERE ($1::uuid IS NULL OR patient_id = $1) AND ($2::bigint IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [filter.patientId ?? null, after ? String(after[0]) : null, filter.limit + 1],
    );
    if (filter.patientId)
      await this.audit.record(actor, {
        action: 'read',
        entity: 'messages_of_patient',
        entityId: filter.patientId,
      });
    return toPage(
      rows,
      filter.limit,
      (m) => [m.id],
      (m) => ({
        id: String(m.id),
        reminderId: m.reminder_id,
        patientId: m.patient_id,
        channel: m.channel,
        recipient: m.recipient,
        subject: m.subject,
        body: m.body,
        createdAt: m.created_at.toISOString(),
      }),
    );
  }
}
