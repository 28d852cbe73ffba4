// What every example shares: a backend (a given URL, else the embedded server for the length
// of the example) and "run me when executed, not when imported".
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AssistantsClient } from 'assistant-machines';
import { createServer } from 'assistant-machines/server';

/** Where an example prints; the tests pass a collector, a terminal gets stdout. */
export type Print = (text: string) => void;

/** Writes to stdout as is: streamed text arrives in fragments. */
export const printToStdout: Print = (text) => void process.stdout.write(text);

/**
 * Runs `body` with a client of `baseURL` — any Assistants-compatible server, with
 * `OPENAI_API_KEY` — or, without one, of an embedded server started for it and closed after.
 *
 * @example `await withClient(undefined, async (client) => (await client.beta.assistants.list()).data.length);`
 */
export async function withClient<T>(baseURL: string | undefined, body: (client: AssistantsClient) => Promise<T>): Promise<T> {
  const server = baseURL === undefined ? await createServer() : undefined;
  try {
    const client = new AssistantsClient({ baseURL: baseURL ?? server!.url, apiKey: process.env['OPENAI_API_KEY'] ?? 'unused' });
    return await body(client);
  } finally {
    await server?.close();
  }
}

/**
 * Calls `main` when the file is the program (`npx tsx examples/polling.ts`), not when a test
 * imports it. `OPENAI_BASE_URL` picks another server than the embedded one.
 *
 * @example `runIfMain(import.meta.url, main);`
 */
export function runIfMain(moduleUrl: string, main: (baseURL?: string) => Promise<unknown>): void {
  const script = process.argv[1];
  if (script === undefined || realpathSync(script) !== realpathSync(fileURLToPath(moduleUrl))) return;
  main(process.env['OPENAI_BASE_URL']).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
