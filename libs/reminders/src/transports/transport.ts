import type { EntityManager } from 'typeorm';
import type { ReminderChannel } from '../reminder-policy';

export interface OutgoingMessage {
  reminderId: string;
  patientId: string;
  channel: ReminderChannel;
  recipient: string;
  subject: string;
  body: string;
}

/**
 * A way out that records messages inside the caller's transaction (`log`), so the
 * delivery record and the `sent` status commit together: exactly-once delivery. It takes
 * a whole batch at once, because that is where the sender's throughput comes from.
 */
export interface TransactionalTransport {
  readonly name: 'log';
  readonly transactional: true;
  /** The message id of each reminder, by reminder id. */
  sendMany(messages: OutgoingMessage[], em: EntityManager): Promise<Map<string, string>>;
}

/** A way out through a server (SMTP, an SMS gateway): one message at a time, after commit. */
export interface RemoteTransport {
  readonly name: 'smtp' | 'http';
  readonly transactional: false;
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}

/** A way out for one channel. */
export type Transport = TransactionalTransport | RemoteTransport;

/** A failure the channel reported; retried with backoff until the last attempt. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
