/**
 * A minimal Server-Sent Events reader (WHATWG HTML §9.2.6 parsing of `event:`, `id:`, `data:` and
 * comment lines) over Node's `fetch`, for the end-to-end tests of `GET /api/rooms/:id/events`.
 */

/** One dispatched event. */
export interface SseMessage {
  /** The `event:` name (`message` when absent). */
  event: string;
  id?: string;
  /** The joined `data:` lines. */
  data: string;
}

/** An open event stream collecting messages until `close()` or the server ends it. */
export class SseClient {
  /** Every message received so far, in order. */
  readonly messages: SseMessage[] = [];
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private ended = false;

  private constructor(readonly url: string) {}

  /** True once the server closed the stream (or `close()` was called). */
  get closed(): boolean {
    return this.ended;
  }

  /**
   * Opens `url` and starts reading in the background.
   * @throws Error when the answer is not 200 `text/event-stream` (within 5 s)
   */
  static async open(url: string): Promise<SseClient> {
    const client = new SseClient(url);
    const timer = setTimeout(() => client.abort.abort(), 5000);
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: client.abort.signal });
    } finally {
      clearTimeout(timer);
    }
    const type = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !type.startsWith('text/event-stream') || res.body === null) {
      client.abort.abort();
      throw new Error(`GET ${url} → ${res.status} ${type}`);
    }
    client.done = client.read(res.body);
    return client;
  }

  /** Messages named `event` so far, data parsed as JSON. */
  events<T = Record<string, unknown>>(event: string): T[] {
    return this.messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data) as T);
  }

  /** Aborts the request and waits for the reader to stop. Never throws. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /** Resolves true when the server ends the stream within `timeoutMs`, false otherwise. */
  async waitForEnd(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.done.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let event = '';
    let id: string | undefined;
    let data: string[] = [];
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (data.length > 0) this.messages.push({ event: event || 'message', id, data: data.join('\n') });
            event = '';
            data = [];
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'id') id = value;
          else if (field === 'data') data.push(value);
        }
      }
    } catch (err) {
      // An abort (close()) ends the read with an AbortError; anything else is recorded as a message.
      if ((err as Error).name !== 'AbortError') this.messages.push({ event: 'client-error', data: JSON.stringify({ error: (err as Error).message }) });
    } finally {
      this.ended = true;
    }
  }
}
