import { MODEL_PROTOCOLS, type LiveModelOptions, type ModelProtocol } from '../server/index.ts';
import { optionalString, UsageError, type OptionSpec, type ParsedArgs } from './command.ts';

/** The `serve` options that put a live model behind the server. */
export const MODEL_OPTIONS: Record<string, OptionSpec> = {
  'model-base-url': { type: 'string', value: 'URL', description: 'serve a live model API at URL (ending in /v1) instead of the scripted model' },
  'model-api-key-env': { type: 'string', value: 'NAME', description: "the environment variable holding the model API's key (never printed)" },
  'model-protocol': { type: 'string', value: 'P', description: 'how to talk to it: responses (default) or chat (Chat Completions)' },
  'model-stateless': { type: 'boolean', description: 'responses only: the backend keeps no responses; send the whole thread each time' },
};

/**
 * The live model `serve` was asked for (`--model-base-url` and friends), or undefined for the
 * scripted one. The key is read from the environment variable named by `--model-api-key-env`;
 * a missing variable is a usage error that names the variable, never a value.
 *
 * @example `liveModelOptions({ values: { 'model-base-url': 'http://127.0.0.1:8080/v1' }, positionals: [] }, {}) // { baseURL, protocol: 'responses' }`
 */
export function liveModelOptions(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): LiveModelOptions | undefined {
  const baseURL = optionalString(args, 'model-base-url');
  const keyName = optionalString(args, 'model-api-key-env');
  const protocol = optionalString(args, 'model-protocol');
  const stateless = args.values['model-stateless'] === true;
  if (baseURL === undefined) {
    const stray = keyName !== undefined ? '--model-api-key-env' : protocol !== undefined ? '--model-protocol' : stateless ? '--model-stateless' : undefined;
    if (stray !== undefined) throw new UsageError(`${stray} needs --model-base-url`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new UsageError(`--model-base-url must be an http(s) URL, got ${JSON.stringify(baseURL)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--model-base-url must be an http(s) URL, got ${JSON.stringify(baseURL)}`);
  if (protocol !== undefined && !(MODEL_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new UsageError(`--model-protocol must be one of ${MODEL_PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
  }
  if (stateless && protocol === 'chat') throw new UsageError('--model-stateless is for --model-protocol responses (chat is always stateless)');
  let apiKey: string | undefined;
  if (keyName !== undefined) {
    apiKey = env[keyName];
    if (apiKey === undefined || apiKey === '') throw new UsageError(`--model-api-key-env names ${keyName}, but that environment variable is not set`);
  }
  return { baseURL, apiKey, protocol: (protocol ?? 'responses') as ModelProtocol, ...(stateless ? { store: false } : {}) };
}

/** What `serve` prints about its model: protocol and where, never the key. */
export function describeLiveModel(options: LiveModelOptions): string {
  const url = new URL(options.baseURL);
  const where = `${url.origin}${url.pathname}`;
  const protocol = options.protocol === 'chat' ? 'Chat Completions' : `Responses${options.store === false ? ' (stateless)' : ''}`;
  return `model: ${protocol} API at ${where}${options.apiKey === undefined ? '' : ', with a key'}`;
}
