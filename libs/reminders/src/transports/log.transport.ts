import type { EntityManager } from 'typeorm';
import type { OutgoingMessage, TransactionalTransport } from './transport';

/** Records the message in the database: the development default, and what the benchmarks count. */
export class LogTransport implements TransactionalTransport {
  readonly name = 'log' as const;
  readonly transactional = true as const;

  /** One multi-row INSERT for the whole batch (column arrays, so the SQL text never varies). */
  async sendMany(messages: OutgoingMessage[], em: EntityManager): Promise<Map<string, string>> {
    if (messages.length === 0) return new Map();
    const rows = await em.query<{ reminder_id: string; id: string }[]>(
      `INSERT INTO messages (reminder_id, patient_id, channel, recipient, subject, body)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
       RETURNING reminder_id, id`,
      [
        messages.map((m) => m.reminderId),
        messages.map((m) => m.patientId),
        messages.map((m) => m.channel),
        messages.map((m) => m.recipient),
        messages.map((m) => m.subject),
        messages.map((m) => m.body),
      ],
    );
    return new Map(rows.map((row) => [row.reminder_id, `log-${row.id}`]));
  }
}
