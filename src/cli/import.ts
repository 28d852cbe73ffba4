import { ImportError, importThreads } from '../server/storage/importThreads.ts';
import { EXIT, optionalString, UsageError, type Command } from './command.ts';
import { createTerminal } from './terminal.ts';

/** `import`: loads exported threads and messages into a server's database. */
export const importCommand: Command = {
  name: 'import',
  summary: "load threads and messages exported from the Assistants API into a server's storage",
  usage: 'import FILE… (--data-dir DIR | --database-url URL)',
  description: [
    'Reads export files — the pages the official SDK\'s list calls return: {"threads": [page…],',
    '"messages": {"thread_…": [page…]}, "order": "desc"} (see docs/server.md) — checks them all,',
    'then writes their threads and messages, ids and created_at kept, to the SQLite data',
    'directory or PostgreSQL database a server runs on. Import into a stopped SQLite server;',
    'PostgreSQL servers that are running see the imported threads at once.',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: "the SQLite data directory (serve's --data-dir)" },
    'database-url': { type: 'string', value: 'URL', description: 'the PostgreSQL database (postgres://…)' },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY, name: 'FILE' },
  async run(args, io) {
    const dataDir = optionalString(args, 'data-dir');
    const databaseUrl = optionalString(args, 'database-url');
    if ((dataDir === undefined) === (databaseUrl === undefined)) throw new UsageError('give one of --data-dir or --database-url');
    const term = createTerminal(io);
    try {
      const summary = await importThreads(args.positionals, { dataDir, databaseUrl });
      term.line(`imported ${summary.threads} thread${summary.threads === 1 ? '' : 's'} and ${summary.messages} message${summary.messages === 1 ? '' : 's'}`);
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      io.stderr.write(`import failed, nothing was imported: ${error.message}\n`);
      return EXIT.failure;
    }
  },
};
