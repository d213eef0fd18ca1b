/**
 * A small client for the MCU's REST API (Node's global `fetch`), used by the end-to-end tests to set
 * up rooms and SIP users and to observe participants.
 */

/** A room as `POST /api/rooms` and `GET /api/rooms/:id` return it (fields the tests read). */
export interface Room {
  id: string;
  name: string;
  number: string;
  pin?: string | null;
  maxParticipants?: number | null;
  locked?: boolean;
  lobby?: boolean;
}

/** Body of `POST /api/rooms`. */
export interface CreateRoom {
  name: string;
  number: string;
  pin?: string;
  maxParticipants?: number;
  locked?: boolean;
  lobby?: boolean;
}

/** One entry of `GET /api/rooms/:id/participants`. */
export interface Participant {
  id: string;
  protocol: 'sip' | 'h323';
  displayName: string;
  /** SIP: the caller's Contact URI (host and port). */
  remote: string;
  /** e.g. `lobby`, `connected`. */
  state: string;
  muted: boolean;
  joinedAt: string;
}

/** One entry of `GET /api/sip/users` (never carries the password). */
export type SipUser = { username: string } & Record<string, unknown>;

/** One entry of `GET /api/sip/registrations`. */
export type SipRegistration = Record<string, unknown>;

/** A REST call answered with an unexpected status. */
export class RestError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} → HTTP ${status}: ${body}`);
    this.name = 'RestError';
  }
}

/** Client for one MCU at `baseUrl` (e.g. `http://127.0.0.1:8080`). */
export class McuRestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  /**
   * Sends one request and returns status and parsed JSON body (undefined when the body is empty).
   * Never throws for HTTP statuses; throws for network errors and after 10 s without an answer.
   */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, body: parsed as T };
  }

  /** Like {@link request} but throws {@link RestError} unless the status is one of `expected`. */
  private async expect<T>(method: string, path: string, expected: number[], body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (!expected.includes(res.status)) {
      throw new RestError(method, path, res.status, typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
    }
    return res.body;
  }

  /** `GET /health` → status and body, never throws for a non-200. */
  health(): Promise<{ status: number; body: unknown }> {
    return this.request('GET', '/health');
  }

  /** `POST /api/rooms` → the created room (HTTP 201 or 200). */
  createRoom(room: CreateRoom): Promise<Room> {
    return this.expect<Room>('POST', '/api/rooms', [200, 201], room);
  }

  /** `GET /api/rooms` → all rooms. */
  listRooms(): Promise<Room[]> {
    return this.expect<Room[]>('GET', '/api/rooms', [200]);
  }

  /** `GET /api/rooms/:id` → the room. */
  getRoom(id: string): Promise<Room> {
    return this.expect<Room>('GET', `/api/rooms/${encodeURIComponent(id)}`, [200]);
  }

  /** `DELETE /api/rooms/:id` (ends its calls). */
  async deleteRoom(id: string): Promise<void> {
    await this.expect('DELETE', `/api/rooms/${encodeURIComponent(id)}`, [200, 204]);
  }

  /** `GET /api/rooms/:id/participants` → the live roster. */
  participants(roomId: string): Promise<Participant[]> {
    return this.expect<Participant[]>('GET', `/api/rooms/${encodeURIComponent(roomId)}/participants`, [200]);
  }

  /** `DELETE /api/rooms/:id/participants/:pid` → hangs the participant up (BYE). */
  async hangUp(roomId: string, participantId: string): Promise<void> {
    await this.expect(
      'DELETE',
      `/api/rooms/${encodeURIComponent(roomId)}/participants/${encodeURIComponent(participantId)}`,
      [200, 204],
    );
  }

  /** `POST /api/rooms/:id/participants/:pid/admit` (lobby → 200 OK to the INVITE). */
  async admit(roomId: string, participantId: string): Promise<void> {
    await this.expect(
      'POST',
      `/api/rooms/${encodeURIComponent(roomId)}/participants/${encodeURIComponent(participantId)}/admit`,
      [200, 201, 204],
    );
  }

  /** `POST /api/rooms/:id/participants/:pid/reject` (lobby → 603 Decline). */
  async reject(roomId: string, participantId: string): Promise<void> {
    await this.expect(
      'POST',
      `/api/rooms/${encodeURIComponent(roomId)}/participants/${encodeURIComponent(participantId)}/reject`,
      [200, 201, 204],
    );
  }

  /** `POST /api/sip/users` → creates digest credentials. */
  async createSipUser(username: string, password: string): Promise<SipUser> {
    return this.expect<SipUser>('POST', '/api/sip/users', [200, 201], { username, password });
  }

  /** `GET /api/sip/users` → users without passwords. */
  listSipUsers(): Promise<SipUser[]> {
    return this.expect<SipUser[]>('GET', '/api/sip/users', [200]);
  }

  /** `GET /api/sip/registrations` → current bindings. */
  registrations(): Promise<SipRegistration[]> {
    return this.expect<SipRegistration[]>('GET', '/api/sip/registrations', [200]);
  }
}
