import type { EntityManager } from 'typeorm';
import type { OutgoingMessage, Transport } from './transport';

/** Records the message in the database: the development default, and what the benchmarks count. */
export class LogTransport implements Transport {
  readonly name = 'log' as const;
  readonly transactional = true;

  async send(message: OutgoingMessage, em: EntityManager): Promise<{ messageId: string }> {
    const [row] = await em.query<{ id: string }[]>(
      `INSERT INTO messages (reminder_id, patient_id, channel, recipient, subject, body) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        message.reminderId,
        message.patientId,
        message.channel,
        message.recipient,
        message.subject,
        message.body,
      ],
    );
    return { messageId: `log-${row.id}` };
  }
}
