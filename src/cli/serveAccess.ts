import { originPolicy } from '../server/cors.ts';
import type { ServerOptions } from '../server/index.ts';
import { checkApiKey } from '../server/auth.ts';
import { UsageError } from './command.ts';

/** Who may call a served server, from `serve`'s flags, and how to tell the user. */
export interface ServerAccess {
  options: Pick<ServerOptions, 'apiKey' | 'cors'>;
  /** The lines `serve` prints after the URL: what a client needs (never the key itself). */
  describe(url: string): string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `serve --api-key-env NAME --cors ORIGIN…` as server options: the key read from the
 * environment variable NAME, the origins checked. Every mistake is a {@link UsageError}, and
 * none of their messages contains the key (a key passed where its variable's name belongs
 * is not echoed either).
 *
 * @example `serverAccessOptions('SERVER_KEY', ['http://localhost:5173'], process.env).options`
 */
export function serverAccessOptions(apiKeyEnv: string | undefined, origins: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerAccess {
  const options: ServerAccess['options'] = {};
  if (apiKeyEnv !== undefined) {
    if (!ENV_NAME.test(apiKeyEnv)) throw new UsageError('--api-key-env takes the name of an environment variable (letters, digits and _), not the key itself');
    const apiKey = env[apiKeyEnv];
    if (apiKey === undefined || apiKey === '') throw new UsageError(`--api-key-env: the environment variable ${apiKeyEnv} is not set or empty`);
    try {
      checkApiKey(apiKey);
    } catch {
      throw new UsageError(`--api-key-env: the key in ${apiKeyEnv} must be visible ASCII characters only (no spaces or control characters)`);
    }
    options.apiKey = apiKey;
  }
  for (const origin of origins) {
    try {
      originPolicy([origin]);
    } catch {
      throw new UsageError(`--cors takes origins like http://localhost:5173 (scheme, host and port; no path) or *, got ${JSON.stringify(origin)}`);
    }
  }
  if (origins.length > 0) options.cors = [...origins];
  return {
    options,
    describe: (url) => [
      ...(apiKeyEnv === undefined
        ? ['Give any Assistants client this base URL, and any API key:', `  OPENAI_BASE_URL=${url} OPENAI_API_KEY=anything`]
        : [`Give any Assistants client this base URL, and the API key in $${apiKeyEnv}:`, `  OPENAI_BASE_URL=${url} OPENAI_API_KEY=$${apiKeyEnv}`]),
      ...(origins.length === 0 ? [] : [`Web pages on ${origins.includes('*') ? 'any origin' : origins.join(', ')} may call it (CORS).`]),
    ],
  };
}
