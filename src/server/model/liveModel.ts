import { createChatModel } from './chatModel.ts';
import type { Model } from './model.ts';
import { createResponsesModel } from './responsesModel.ts';
import type { UpstreamOptions } from './upstream.ts';

/** The wire protocols a live model API can speak to this server. */
export const MODEL_PROTOCOLS = ['responses', 'chat'] as const;

/** `responses` (`POST /responses`) or `chat` (`POST /chat/completions`). */
export type ModelProtocol = (typeof MODEL_PROTOCOLS)[number];

/**
 * A live model API behind the server: where it is, its key, and the protocol it speaks
 * (`createServer({ model: { baseURL, apiKey, protocol } })`).
 */
export interface LiveModelOptions extends UpstreamOptions {
  /** Default `responses`. */
  protocol?: ModelProtocol | undefined;
  /** Responses only: false when the backend keeps no responses (every request sends the whole thread). Default true. */
  store?: boolean | undefined;
}

/**
 * The {@link Model} for a live model API: {@link createResponsesModel} or {@link createChatModel}.
 *
 * @example `const model = createLiveModel({ baseURL: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY, protocol: 'responses' })`
 */
export function createLiveModel(options: LiveModelOptions): Model {
  const { protocol = 'responses', store, ...upstream } = options;
  if (protocol === 'chat') return createChatModel(upstream);
  if (protocol === 'responses') return createResponsesModel({ ...upstream, store });
  throw new TypeError(`model.protocol must be one of ${MODEL_PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
}

/** Whether a `model` option is a {@link Model} object rather than the options of a live one. */
export function isModel(model: Model | LiveModelOptions): model is Model {
  return typeof (model as Partial<Model>).nextStep === 'function';
}
