import { createTransport, type Transporter } from 'nodemailer';
import type { OutgoingMessage, RemoteTransport } from './transport';
import { TransportError } from './transport';

export class SmtpTransport implements RemoteTransport {
  readonly name = 'smtp' as const;
  readonly transactional = false as const;
  private readonly mailer: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.mailer = createTransport(url);
  }

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    try {
      const info = await this.mailer.sendMail({
        from: this.from,
        to: message.recipient,
        subject: message.subject,
        text: message.body,
      });
      return { messageId: String(info.messageId) };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx from the server: the address is refused, retrying will not help.
      throw new TransportError(
        `SMTP: ${(error as Error).message.split('\n')[0]}`,
        code !== undefined && code >= 500,
      );
    }
  }

  close(): void {
    this.mailer.close();
  }
}
