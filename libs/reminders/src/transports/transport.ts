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
 * A way out for one channel. `log` writes inside the caller's transaction (so the
 * delivery record and the `sent` status commit together); the others talk to a server.
 */
export interface Transport {
  readonly name: 'log' | 'smtp' | 'http';
  /** True when `send` takes part in the caller's transaction (exactly-once delivery). */
  readonly transactional: boolean;
  send(message: OutgoingMessage, em: EntityManager): Promise<{ messageId: string }>;
}

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
