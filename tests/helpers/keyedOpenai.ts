import OpenAI, { type ClientOptions } from 'openai';

/**
 * The official SDK sending `Idempotency-Key` on every POST: its base client does so once a
 * subclass names the header (`idempotencyHeader`, unset in `OpenAI` itself). Each call gets a
 * new key (`stainless-node-retry-…`), the same on each of its retries; `{ idempotencyKey }` in
 * a call's options sets it.
 */
export class KeyedOpenAI extends OpenAI {
  protected override idempotencyHeader = 'Idempotency-Key';
}

/** A keyed official client for `baseURL`, retrying as the SDK does (twice by default). */
export function keyedClient(baseURL: string, options: ClientOptions = {}): KeyedOpenAI {
  return new KeyedOpenAI({ baseURL, apiKey: 'test-key', ...options });
}
