import type { OutgoingMessage, RemoteTransport } from './transport';
import { TransportError } from './transport';

export interface SmsGatewaySettings {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
}

/** A Twilio-compatible REST gateway: form POST to /Accounts/{sid}/Messages.json with Basic auth. */
export class SmsTransport implements RemoteTransport {
  readonly name = 'http' as const;
  readonly transactional = false as const;

  constructor(private readonly settings: SmsGatewaySettings) {}

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const { baseUrl, accountSid, authToken, from } = this.settings;
    let response: Response;
    try {
      response = await fetch(
        `${baseUrl.replace(/\/$/, '')}/Accounts/${encodeURIComponent(accountSid)}/Messages.json`,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ To: message.recipient, From: from, Body: message.body }),
          signal: AbortSignal.timeout(10_000),
        },
      );
    } catch (error) {
      throw new TransportError(`SMS gateway unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      // 4xx (bad number, unsubscribed) will not improve with retries; 5xx and 429 may.
      const permanent = response.status >= 400 && response.status < 500 && response.status !== 429;
      throw new TransportError(`SMS gateway answered ${response.status}`, permanent);
    }
    try {
      const sid = (JSON.parse(text) as { sid?: string }).sid;
      return { messageId: sid ?? 'unknown' };
    } catch {
      return { messageId: 'unknown' };
    }
  }
}
