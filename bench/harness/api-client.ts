/** The few API calls the harness makes itself (set-up and checks, never measured). */
export interface ApiResponse {
  status: number;
  body: any;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 30_000,
  ): Promise<ApiResponse> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (Prometheus text, HTML): keep the text
    }
    return { status: response.status, body: parsed };
  }

  async expect(
    status: number,
    method: string,
    path: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<any> {
    const response = await this.request(method, path, body, {}, timeoutMs);
    if (response.status !== status) {
      throw new Error(
        `${method} ${path}: expected ${status}, got ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`,
      );
    }
    return response.body;
  }

  async login(email: string, password: string): Promise<ApiClient> {
    const body = await this.expect(200, 'POST', '/auth/login', { email, password });
    return this.withToken(String(body.accessToken));
  }

  get bearer(): string {
    if (!this.token) throw new Error('not logged in');
    return this.token;
  }

  /** "GET /providers/{id}/panel", … for every operation the built API documents. */
  async operations(): Promise<Set<string>> {
    const doc = await this.expect(200, 'GET', '/docs-json');
    const operations = new Set<string>();
    for (const [route, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) operations.add(`${method.toUpperCase()} ${route}`);
    }
    return operations;
  }
}
