/**
 * The few members of Express's request and response objects the app touches. (`@types/express`
 * is not a dependency; these structural types describe exactly what is used.)
 */

/** An incoming HTTP request: lower-case header names (Node's `IncomingMessage.headers`). */
export interface HttpRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly method?: string;
  readonly url?: string;
}

/** An outgoing HTTP response. */
export interface HttpResponseLike {
  status(code: number): HttpResponseLike;
  json(body: unknown): unknown;
  setHeader(name: string, value: string): unknown;
}
