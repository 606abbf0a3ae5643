import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import type { ReminderChannel } from '../reminder-policy';
import { LogTransport } from './log.transport';
import { SmsTransport } from './sms.transport';
import { SmtpTransport } from './smtp.transport';
import type { Transport } from './transport';

/** The transport configured for each channel (config was validated at start). */
@Injectable()
export class Transports implements OnApplicationShutdown {
  private readonly byChannel: Record<ReminderChannel, Transport>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const log = new LogTransport();
    this.byChannel = {
      email:
        config.EMAIL_TRANSPORT === 'smtp'
          ? new SmtpTransport(config.SMTP_URL!, config.EMAIL_FROM)
          : log,
      sms:
        config.SMS_TRANSPORT === 'http'
          ? new SmsTransport({
              baseUrl: config.SMS_GATEWAY_URL!,
              accountSid: config.SMS_ACCOUNT_SID!,
              authToken: config.SMS_AUTH_TOKEN!,
              from: config.SMS_FROM!,
            })
          : log,
    };
  }

  for(channel: ReminderChannel): Transport {
    return this.byChannel[channel];
  }

  onApplicationShutdown(): void {
    for (const transport of Object.values(this.byChannel))
      if (transport instanceof SmtpTransport) transport.close();
  }
}
