import { writeFile } from 'node:fs/promises';
import { CONFORMANCE_CHECKS, CONFORMANCE_PROTOCOLS, type ConformanceProtocol, conformanceJUnit, formatConformanceReport, runConformance } from '../testing/conformance/index.ts';
import { EXIT, optionalString, requiredString, UsageError, type Command } from './command.ts';

/** `conformance`: the conformance suite against a server, as a table (and JSON, JUnit reports). */
export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'check that a server behaves like the Assistants and Responses APIs (a table, JSON and JUnit reports)',
  usage:
    'conformance --base-url URL [--protocol assistants|responses] [--faults] [--api-key KEY] [--api-key-header NAME] [--api-version V] [--model NAME] [--timeout-ms N] [--json FILE] [--junit FILE] [--only IDS]',
  description: [
    'Runs named checks against a server of the Assistants API, the Responses API or both (probed',
    'when --protocol is not given): streams read by the statecharts in strict mode, sequence',
    'numbers, resuming, background work, cancel, tool-output turns, conversation history, and the',
    'CRUD, pagination and error envelopes around them. Each check names the chart transitions it',
    'drove; what the server does not offer is reported as such, not as a failure. --faults puts',
    "the suite's own proxy in front of the server and adds checks that cut connections at chosen",
    'events and recover as documented. Prints one line per check and ends with',
    '`conformance: P/T checks passed`; exits 0 only when every offered check passed.',
  ].join('\n'),
  options: {
    'base-url': { type: 'string', value: 'URL', description: 'the server, e.g. http://127.0.0.1:8080/v1' },
    protocol: { type: 'string', value: 'NAME', description: 'only this protocol: assistants or responses (default: every one the server offers)' },
    faults: { type: 'boolean', description: 'cut connections through the suite’s proxy and check the recovery' },
    'api-key': { type: 'string', value: 'KEY', description: 'sent as Bearer token (default: OPENAI_API_KEY, else "unused")' },
    'api-key-header': { type: 'string', value: 'NAME', description: 'send the key in this header instead of Authorization: Bearer (Azure: api-key)' },
    'api-version': { type: 'string', value: 'V', description: 'add ?api-version=V to every request (Azure)' },
    model: { type: 'string', value: 'NAME', description: 'the model or deployment for assistants and responses (default: gpt-4o-mini)' },
    'timeout-ms': { type: 'string', value: 'N', description: 'how long one check may take (default: 60000)' },
    json: { type: 'string', value: 'FILE', description: 'also write the report as JSON to FILE (one record per check)' },
    junit: { type: 'string', value: 'FILE', description: 'also write the report as JUnit XML to FILE' },
    only: { type: 'string', value: 'IDS', description: 'run only these checks (comma-separated ids)' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
  async run(args, io) {
    const baseURL = requiredString(args, 'base-url', 'the server to check, e.g. http://127.0.0.1:8080/v1');
    if (!/^https?:\/\//.test(baseURL)) throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(baseURL)}`);
    const timeoutText = optionalString(args, 'timeout-ms');
    const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
    if (timeoutMs !== undefined && !(/^\d+$/.test(timeoutText!) && timeoutMs > 0)) throw new UsageError(`--timeout-ms must be a positive whole number, got ${JSON.stringify(timeoutText)}`);
    const protocol = optionalString(args, 'protocol');
    if (protocol !== undefined && !CONFORMANCE_PROTOCOLS.includes(protocol as ConformanceProtocol)) {
      throw new UsageError(`--protocol must be ${CONFORMANCE_PROTOCOLS.join(' or ')}, got ${JSON.stringify(protocol)}`);
    }
    const apiVersion = optionalString(args, 'api-version');
    const only = optionalString(args, 'only')?.split(',').map((id) => id.trim());
    const unknown = (only ?? []).filter((id) => !CONFORMANCE_CHECKS.some((check) => check.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown check ${unknown.join(', ')} (known: ${CONFORMANCE_CHECKS.map((check) => check.id).join(', ')})`);
    const report = await runConformance({
      only,
      baseURL,
      protocol: protocol as ConformanceProtocol | undefined,
      faults: args.values['faults'] === true,
      apiKey: optionalString(args, 'api-key') ?? io.env['OPENAI_API_KEY'] ?? 'unused',
      model: optionalString(args, 'model'),
      apiKeyHeader: optionalString(args, 'api-key-header'),
      query: apiVersion === undefined ? {} : { 'api-version': apiVersion },
      timeoutMs,
    });
    io.stdout.write(formatConformanceReport(report));
    const json = optionalString(args, 'json');
    if (json !== undefined) await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
    const junit = optionalString(args, 'junit');
    if (junit !== undefined) await writeFile(junit, conformanceJUnit(report));
    return report.ok ? EXIT.ok : EXIT.failure;
  },
};
