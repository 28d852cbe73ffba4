import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from './errors.ts';

/** The journal's content: which conversation each thread became, for one source and target. */
interface JournalFile {
  object: 'assistant_machines.migration_journal';
  from: string;
  to: string;
  threads: Record<string, string>;
}

/**
 * Where a migration keeps which conversation each thread became, as soon as it is made: a file
 * under the output directory (`.assistant-machines/migration-<source and target's hash>.json`),
 * rewritten whole (write then rename, so a cut leaves the old or the new one, never half). What
 * each conversation holds is not kept here — it is read from the target, which is the truth.
 *
 * @example
 * ```ts
 * const journal = await MigrationJournal.open(outDir, from, to);
 * await journal.record('thread_abc', 'conv_xyz');
 * ```
 */
export class MigrationJournal {
  readonly path: string;
  readonly #file: JournalFile;
  readonly #write: boolean;
  /** The save in progress: threads copied side by side record at once, and saves go one at a time. */
  #saving: Promise<void> = Promise.resolve();

  private constructor(path: string, file: JournalFile, write: boolean) {
    this.path = path;
    this.#file = file;
    this.#write = write;
  }

  /** The journal of a migration from `from` to `to` under `dir` (empty when there is none yet); with `write: false` nothing is ever written (a dry run). */
  static async open(dir: string, from: string, to: string, { write = true }: { write?: boolean } = {}): Promise<MigrationJournal> {
    const hash = createHash('sha256').update(`${from}\n${to}`).digest('hex').slice(0, 12);
    const path = join(dir, '.assistant-machines', `migration-${hash}.json`);
    let file: JournalFile = { object: 'assistant_machines.migration_journal', from, to, threads: {} };
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<JournalFile>;
      if (typeof parsed.threads !== 'object' || parsed.threads === null) throw new SyntaxError('no "threads" object');
      file = { ...file, threads: parsed.threads };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new MigrationError('journal', `the migration journal ${path} cannot be read (${(error as Error).message}): move it away to start over`, { cause: error });
      }
    }
    return new MigrationJournal(path, file, write);
  }

  /** The conversation a thread became, if this journal knows. */
  conversationOf(threadId: string): string | undefined {
    return Object.hasOwn(this.#file.threads, threadId) ? this.#file.threads[threadId] : undefined;
  }

  /**
   * Notes which conversation a thread became (undefined: none any more), and saves it at once:
   * resolves once a save that holds it is on disk. Saves never overlap (they share one temporary
   * file); each writes the journal as it stands when it starts.
   */
  async record(threadId: string, conversationId: string | undefined): Promise<void> {
    if (conversationId === undefined) delete this.#file.threads[threadId];
    else this.#file.threads[threadId] = conversationId;
    if (!this.#write) return;
    const save = this.#saving.catch(() => {}).then(() => this.#save());
    this.#saving = save;
    await save;
  }

  async #save(): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(this.#file, null, 2)}\n`);
    await rename(temporary, this.path);
  }
}
