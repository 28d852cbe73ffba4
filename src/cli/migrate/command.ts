import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { APIConnectionError, AssistantsClient } from '../../client/index.ts';
import { EXIT, optionalString, requiredString, stringList, UsageError, type Command, type ParsedArgs } from '../command.ts';
import { createTerminal, type CliIO, type Terminal } from '../terminal.ts';
import { assistantConfig } from './assistantConfig.ts';
import { MigrationError } from './errors.ts';
import { MigrationJournal } from './journal.ts';
import type { MigrationReport, NotCarried, ThreadReport } from './report.ts';
import { listedAssistants, listedThreadIds, readThread } from './source.ts';
import { copyThread } from './target.ts';
import { threadItems } from './threadItems.ts';

/** How many lines of what was not carried the summary shows (the report file has them all). */
const NOT_CARRIED_SHOWN = 10;
/**
 * Threads copied at once by default: a thread's copy waits on the network most of its time, and
 * four keep a backend's per-key limits (hundreds of requests a minute) far off.
 */
const DEFAULT_CONCURRENCY = 4;

/** `migrate`: an Assistants-compatible backend's assistants and threads to a Responses + Conversations backend. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'copy assistants (as configuration files) and threads (as conversations) to a Responses backend',
  usage: 'migrate --from URL --to URL [--threads ID…] [--dry-run] [--report FILE] [--out DIR] [--concurrency N]',
  description: [
    'Reads an Assistants-compatible backend (--from: the embedded server, a Foundry classic agent,',
    'any server of the Assistants API) and writes to a Responses + Conversations backend (--to):',
    '- each assistant becomes a configuration file, DIR/assistants/<id>.json: model, instructions,',
    '  tools in the Responses shape (tool resources folded in), for your code to keep;',
    '- each thread becomes a conversation: its messages, in order, as items (text and citations',
    "  kept), with its runs' function and file search calls; the conversation's metadata names it.",
    'It prints which conversation each thread became and what could not be carried, and why',
    '(--report FILE writes it all as JSON). Run it again after a cut: it finishes the job and',
    'copies nothing twice (DIR/.assistant-machines/ keeps which conversation each thread became).',
    'Threads: --threads ID…, or every thread the source lists (GET /threads).',
    'Keys: $OPENAI_API_KEY for both, or the variables --from-key-env and --to-key-env name.',
  ].join('\n'),
  options: {
    from: { type: 'string', value: 'URL', description: 'the Assistants-compatible backend to read (a base URL ending in /v1)' },
    to: { type: 'string', value: 'URL', description: 'the Responses + Conversations backend to write to' },
    threads: { type: 'string', value: 'ID…', multiple: true, description: 'only these threads (several after the flag, or comma-separated); default: every thread the source lists' },
    'dry-run': { type: 'boolean', description: 'say what it would do; write nothing, anywhere' },
    report: { type: 'string', value: 'FILE', description: 'also write the report as JSON: thread → conversation, and what was not carried' },
    out: { type: 'string', value: 'DIR', description: 'where the assistants’ files and the journal go (default: the working directory)' },
    'from-key-env': { type: 'string', value: 'NAME', description: 'the variable holding the source’s key (default OPENAI_API_KEY)' },
    'to-key-env': { type: 'string', value: 'NAME', description: 'the variable holding the target’s key (default OPENAI_API_KEY)' },
    'max-retries': { type: 'string', value: 'N', description: 'how many times a failed request is retried, with backoff (default 2)' },
    concurrency: { type: 'string', value: 'N', description: `how many threads are copied at once (default ${DEFAULT_CONCURRENCY}; 1: one after another)` },
  },
  positionals: { min: 0, max: Number.POSITIVE_INFINITY, name: 'ID' },
  async run(args, io) {
    const settings = settingsOf(args, io);
    const term = createTerminal(io);
    const report: MigrationReport = { object: 'assistant_machines.migration', from: settings.from, to: settings.to, dry_run: settings.dryRun, assistants: [], threads: [], not_carried: [] };
    term.line(`${settings.dryRun ? 'dry run: ' : ''}migrating ${settings.from} → ${settings.to}`);
    try {
      await migrateAssistants(settings, report, term, io.signal);
      await migrateThreads(settings, report, term, io.signal);
    } finally {
      printSummary(report, term, settings);
      if (settings.reportFile !== undefined) await writeFile(settings.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    }
    return report.threads.some((thread) => thread.status === 'failed') ? EXIT.failure : EXIT.ok;
  },
};

interface MigrationSettings {
  from: string;
  to: string;
  source: AssistantsClient;
  target: AssistantsClient;
  threadIds: string[] | undefined;
  dryRun: boolean;
  reportFile: string | undefined;
  outDir: string;
  /** Threads copied at once. */
  concurrency: number;
}

function settingsOf(args: ParsedArgs, io: CliIO): MigrationSettings {
  const from = requiredString(args, 'from', 'the Assistants-compatible backend, e.g. http://127.0.0.1:4010/v1').replace(/\/+$/, '');
  const to = requiredString(args, 'to', 'the Responses + Conversations backend').replace(/\/+$/, '');
  for (const [name, url] of [['from', from], ['to', to]] as const) if (!/^https?:\/\//.test(url)) throw new UsageError(`--${name} must be an http(s) URL (got ${JSON.stringify(url)})`);
  const keyOf = (option: string) => {
    const variable = optionalString(args, option) ?? 'OPENAI_API_KEY';
    const key = io.env[variable];
    if (key === undefined || key === '') throw new UsageError(`${variable} is not set (--${option} names the variable holding the key; any value works for the embedded server)`);
    return key;
  };
  const retries = optionalString(args, 'max-retries');
  const maxRetries = retries === undefined ? undefined : Number(retries);
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) throw new UsageError(`--max-retries must be a whole number of retries (got ${JSON.stringify(retries)})`);
  const concurrencyText = optionalString(args, 'concurrency');
  const concurrency = concurrencyText === undefined ? DEFAULT_CONCURRENCY : Number(concurrencyText);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new UsageError(`--concurrency must be a whole number of threads, at least 1 (got ${JSON.stringify(concurrencyText)})`);
  const listed = stringList(args, 'threads');
  if (args.positionals.length > 0 && listed.length === 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])} (thread ids go after --threads)`);
  return {
    from,
    to,
    source: new AssistantsClient({ baseURL: from, apiKey: keyOf('from-key-env'), maxRetries }),
    target: new AssistantsClient({ baseURL: to, apiKey: keyOf('to-key-env'), maxRetries }),
    threadIds: listed.length === 0 ? undefined : [...new Set([...listed, ...args.positionals])],
    dryRun: args.values['dry-run'] === true,
    reportFile: optionalString(args, 'report'),
    outDir: resolve(optionalString(args, 'out') ?? '.'),
    concurrency,
  };
}

// Each assistant's configuration file, written only when it changed (a second run writes nothing).
async function migrateAssistants(settings: MigrationSettings, report: MigrationReport, term: Terminal, signal?: AbortSignal): Promise<void> {
  const assistants = await listedAssistants(settings.source, signal);
  const dir = join(settings.outDir, 'assistants');
  let changed = 0;
  for (const assistant of assistants) {
    const { config, notCarried } = assistantConfig(assistant, settings.from);
    const file = join(dir, `${assistant.id}.json`);
    const text = `${JSON.stringify(config, null, 2)}\n`;
    if ((await readFile(file, 'utf8').catch(() => undefined)) !== text) {
      changed += 1;
      if (!settings.dryRun) {
        await mkdir(dir, { recursive: true });
        await writeFile(file, text);
      }
    }
    report.assistants.push({ assistant_id: assistant.id, name: assistant.name, file: shown(file) });
    report.not_carried.push(...notCarried);
  }
  if (assistants.length === 0) return;
  const files = (count: number) => `${count} assistant configuration file${count === 1 ? '' : 's'}`;
  term.line(
    changed === 0
      ? `${files(assistants.length)} in ${shown(dir)}, up to date`
      : `${settings.dryRun ? 'would write' : 'wrote'} ${files(changed)} in ${shown(dir)}${changed < assistants.length ? ` (${assistants.length - changed} up to date)` : ''}`,
  );
}

// Threads are copied `concurrency` at a time, each on its own conversation; the report lists
// them in the order they were listed, whatever order they finished in.
async function migrateThreads(settings: MigrationSettings, report: MigrationReport, term: Terminal, signal?: AbortSignal): Promise<void> {
  const threadIds = settings.threadIds ?? (await listedThreadIds(settings.source, signal));
  const journal = await MigrationJournal.open(settings.outDir, settings.from, settings.to, { write: !settings.dryRun });
  const filenames = new Map<string, string>();
  const bar = term.bar('threads', threadIds.length);
  const done: Array<{ entry: ThreadReport; notCarried: NotCarried[] } | undefined> = new Array(threadIds.length);
  let stopped: ThreadReport | undefined;
  let next = 0;
  const copyOne = async (threadId: string): Promise<{ entry: ThreadReport; notCarried: NotCarried[] }> => {
    try {
      const { thread, source } = await readThread(settings.source, threadId, filenames, signal);
      const { items, notCarried } = threadItems(source);
      const copied = await copyThread(thread, items, { target: settings.target, journal, from: settings.from, to: settings.to, dryRun: settings.dryRun, signal });
      return { entry: copied.report, notCarried: [...notCarried, ...copied.notCarried] };
    } catch (error) {
      const entry: ThreadReport = { thread_id: threadId, conversation_id: journal.conversationOf(threadId), items: 0, added: 0, status: 'failed', error: describe(error) };
      // The network or the target is gone: every next thread would fail the same way.
      if (stopped === undefined && (error instanceof APIConnectionError || (signal?.aborted ?? false))) stopped = entry;
      return { entry, notCarried: [] };
    }
  };
  const worker = async (): Promise<void> => {
    while (stopped === undefined && next < threadIds.length) {
      const index = next++;
      const result = await copyOne(threadIds[index]!);
      done[index] = result;
      bar.advance(threadLine(result.entry, settings.dryRun));
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, threadIds.length) }, worker));
  for (const [index, threadId] of threadIds.entries()) {
    const result = done[index];
    report.threads.push(result?.entry ?? { thread_id: threadId, conversation_id: journal.conversationOf(threadId), items: 0, added: 0, status: 'failed', error: 'not tried: the migration stopped' });
    report.not_carried.push(...(result?.notCarried ?? []));
  }
  if (stopped !== undefined) {
    bar.finish(`stopped at ${stopped.thread_id}: ${stopped.error}`);
    return;
  }
  const added = report.threads.reduce((sum, thread) => sum + thread.added, 0);
  bar.finish(`${threadIds.length} thread${threadIds.length === 1 ? '' : 's'}: ${countsOf(report.threads)}; ${added} item${added === 1 ? '' : 's'} ${settings.dryRun ? 'to add' : 'added'}`);
}

function threadLine(thread: ThreadReport, dryRun: boolean): string {
  const target = thread.conversation_id ?? (thread.status === 'planned' ? 'a new conversation' : '(no conversation)');
  if (thread.status === 'failed') return `${thread.thread_id} → ${target}: failed: ${thread.error ?? ''}`;
  const change = dryRun ? `${thread.added} to add` : `${thread.added} added`;
  return `${thread.thread_id} → ${target} (${thread.items} item${thread.items === 1 ? '' : 's'}, ${change})`;
}

function countsOf(threads: readonly ThreadReport[]): string {
  const count = (status: ThreadReport['status']) => threads.filter((thread) => thread.status === status).length;
  return (['copied', 'up_to_date', 'planned', 'failed'] as const)
    .filter((status) => count(status) > 0)
    .map((status) => `${count(status)} ${status.replaceAll('_', ' ')}`)
    .join(', ');
}

function printSummary(report: MigrationReport, term: Terminal, settings: MigrationSettings): void {
  if (term.fancy && report.threads.length > 0) {
    term.line();
    for (const thread of report.threads) term.line(threadLine(thread, settings.dryRun));
  }
  const notCarried = report.not_carried;
  if (notCarried.length > 0) {
    term.line(`\nnot carried (${notCarried.length}):`);
    for (const entry of notCarried.slice(0, NOT_CARRIED_SHOWN)) term.line(`  ${whereOf(entry)}: ${entry.what} — ${entry.why}`);
    if (notCarried.length > NOT_CARRIED_SHOWN) term.line(`  … and ${notCarried.length - NOT_CARRIED_SHOWN} more${settings.reportFile === undefined ? ' (--report FILE lists them all)' : ''}`);
  }
  if (settings.reportFile !== undefined) term.line(`report: ${shown(resolve(settings.reportFile))}`);
  if (settings.dryRun) term.line('dry run: nothing was written');
}

function whereOf(entry: NotCarried): string {
  return [entry.assistant_id, entry.thread_id, entry.message_id, entry.run_id, entry.step_id].filter((part) => part !== undefined).join(' ');
}

function describe(error: unknown): string {
  if (error instanceof MigrationError) return `${error.message} [${error.kind}]`;
  return error instanceof Error ? error.message : String(error);
}

// A path as the user reads it: relative to the working directory when under it.
function shown(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath !== '' && !relativePath.startsWith('..') ? relativePath : path;
}
