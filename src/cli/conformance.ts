import { writeFile } from 'node:fs/promises';
import { CONFORMANCE_CHECKS, formatConformanceReport, runConformance } from '../testing/conformance/index.ts';
import { EXIT, optionalString, requiredString, UsageError, type Command } from './command.ts';

/** `conformance`: the conformance suite against a server, as a table (and a JSON report). */
export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'check that a server behaves like the Assistants API (a table, a JSON report)',
  usage: 'conformance --base-url URL [--api-key KEY] [--api-key-header NAME] [--api-version V] [--model NAME] [--timeout-ms N] [--json FILE] [--only IDS]',
  description: [
    'Runs a fixed set of checks against any Assistants-compatible server: CRUD and error',
    'envelopes, pagination, streamed event order (read by the statecharts in strict mode),',
    'polling, function tools and requires_action, code interpreter, vector stores, file search',
    'with citations, cancel. Capabilities the server does not offer are reported as such, not',
    'as failures. Prints one line per check and ends with `conformance: P/T checks passed`;',
    'exits 0 only when every offered check passed.',
  ].join('\n'),
  options: {
    'base-url': { type: 'string', value: 'URL', description: 'the server, e.g. http://127.0.0.1:8080/v1' },
    'api-key': { type: 'string', value: 'KEY', description: 'sent as Bearer token (default: OPENAI_API_KEY, else "unused")' },
    'api-key-header': { type: 'string', value: 'NAME', description: 'send the key in this header instead of Authorization: Bearer (Azure: api-key)' },
    'api-version': { type: 'string', value: 'V', description: 'add ?api-version=V to every request (Azure)' },
    model: { type: 'string', value: 'NAME', description: 'the model or deployment for the assistants (default: gpt-4o-mini)' },
    'timeout-ms': { type: 'string', value: 'N', description: 'how long one check may take (default: 60000)' },
    json: { type: 'string', value: 'FILE', description: 'also write the report as JSON to FILE' },
    only: { type: 'string', value: 'IDS', description: 'run only these checks (comma-separated ids)' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
  async run(args, io) {
    const baseURL = requiredString(args, 'base-url', 'the server to check, e.g. http://127.0.0.1:8080/v1');
    if (!/^https?:\/\//.test(baseURL)) throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseURL)}`);
    const timeoutText = optionalString(args, 'timeout-ms');
    const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
    if (timeoutMs !== undefined && !(/^\d+$/.test(timeoutText!) && timeoutMs > 0)) throw new UsageError(`--timeout-ms must be a positive whole number, got ${JSON.stringify(timeoutText)}`);
    const apiVersion = optionalString(args, 'api-version');
    const only = optionalString(args, 'only')?.split(',').map((id) => id.trim());
    const unknown = (only ?? []).filter((id) => !CONFORMANCE_CHECKS.some((check) => check.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown check ${unknown.join(', ')} (known: ${CONFORMANCE_CHECKS.map((check) => check.id).join(', ')})`);
    const report = await runConformance({
      only,
      baseURL,
      apiKey: optionalString(args, 'api-key') ?? io.env['OPENAI_API_KEY'] ?? 'unused',
      model: optionalString(args, 'model'),
      apiKeyHeader: optionalString(args, 'api-key-header'),
      query: apiVersion === undefined ? {} : { 'api-version': apiVersion },
      timeoutMs,
    });
    io.stdout.write(formatConformanceReport(report));
    const json = optionalString(args, 'json');
    if (json !== undefined) await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? EXIT.ok : EXIT.failure;
  },
};
