import { ModelError } from '../model/model.ts';
import { Upstream, type UpstreamOptions } from '../model/upstream.ts';
import { unitVector } from './vectors.ts';

/** Options of {@link createEmbedder}: where the embeddings API is, and which model. */
export interface EmbeddingsOptions extends UpstreamOptions {
  /** The embedding model (`text-embedding-3-small`, a local server's name …). */
  model: string;
  /** Ask for vectors of this length (models that can shorten theirs); default: the model's. */
  dimensions?: number | undefined;
  /** Texts per request; default 64. */
  batchSize?: number | undefined;
}

/** What semantic file search needs: texts in, unit vectors out. */
export interface Embedder {
  readonly model: string;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

const DEFAULT_BATCH_SIZE = 64;

/**
 * An {@link Embedder} on an OpenAI-compatible `POST {baseURL}/embeddings`: texts go in batches,
 * retried like the model's requests (429, 5xx, a failed connection), and each vector comes
 * back scaled to unit length. The key stays in the connection, as for the model.
 *
 * @example
 * ```ts
 * const embedder = createEmbedder({ baseURL: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY, model: 'text-embedding-3-small' });
 * const [vector] = await embedder.embed(['Refunds are paid within 14 days.']);
 * ```
 */
export function createEmbedder(options: EmbeddingsOptions): Embedder {
  const upstream = new Upstream(options);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  return {
    model: options.model,
    async embed(texts, signal) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        const answer = await upstream.json('/embeddings', { model: options.model, input: batch, ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }) }, signal);
        const data = (answer as { data?: unknown }).data;
        if (!Array.isArray(data) || data.length !== batch.length) {
          throw new ModelError('server_error', `The embeddings API at ${upstream.origin} answered ${Array.isArray(data) ? data.length : 'no'} vectors for ${batch.length} texts.`);
        }
        // The API says which input each vector is for; its order is not promised.
        const ordered = [...data].sort((a, b) => Number((a as { index?: number }).index ?? 0) - Number((b as { index?: number }).index ?? 0));
        for (const item of ordered) {
          const embedding = (item as { embedding?: unknown }).embedding;
          if (!Array.isArray(embedding) || embedding.some((value) => typeof value !== 'number')) {
            throw new ModelError('server_error', `The embeddings API at ${upstream.origin} answered a vector that is not a list of numbers.`);
          }
          vectors.push(unitVector(embedding as number[]));
        }
      }
      return vectors;
    },
  };
}
