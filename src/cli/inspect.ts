import { createInspector } from '../../inspect/index.ts';
import { existsSync } from 'node:fs';
import { EXIT, optionalString, stringList, UsageError, type Command } from './command.ts';
import { openInBrowser, printInspectorUrls, untilAborted } from './inspection.ts';
import { parsePort } from './serve.ts';
import { createTerminal } from './terminal.ts';

/** `inspect`: the inspector, standalone. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'serve the inspector (UI + WebSocket for XState inspection frames) until Ctrl+C',
  usage: 'inspect [--port N] [--host H] [--allow-host NAME] [--open FILE] [--data-dir DIR] [--no-open]',
  description: [
    'Starts the inspector and prints two lines: the URL of its UI, then the WebSocket URL that',
    'XState apps send frames to (`createWebSocketInspector({ url })` of @statelyai/inspect, or',
    '`--inspect WS_URL` of demo, run and replay). Both carry a random token; the server binds',
    '127.0.0.1 unless --host says otherwise (with a warning: anyone who reaches the port and has',
    'the token sees every frame), and answers only requests for its own address (--allow-host adds',
    "a proxy's name). --open FILE shows an exported session (the UI's export link, or a file",
    'dropped on the page); --data-dir DIR keeps everything there too, so it survives a restart.',
    'Opens the UI in a browser unless --no-open.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: 'the port to listen on (default: a free one)' },
    host: { type: 'string', value: 'H', description: 'the interface to bind (default 127.0.0.1: this machine only)' },
    'allow-host': { type: 'string', value: 'NAME', multiple: true, description: "also answer requests for this Host (a reverse proxy's name); others are refused (DNS rebinding)" },
    open: { type: 'string', value: 'FILE', multiple: true, description: 'show an exported session (.ndjson or .ndjson.gz)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'keep the sessions in DIR too: they survive a restart' },
    'no-open': { type: 'boolean', description: 'do not open the UI in a browser' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
  async run(args, io) {
    const port = parsePort(optionalString(args, 'port') ?? '0');
    const host = optionalString(args, 'host');
    const term = createTerminal(io);
    const open = stringList(args, 'open');
    for (const file of open) if (!existsSync(file)) throw new UsageError(`--open ${file}: no such file`);
    const dataDir = optionalString(args, 'data-dir');
    const inspector = await createInspector({
      port,
      ...(host === undefined ? {} : { host }),
      allowedHosts: stringList(args, 'allow-host'),
      open,
      ...(dataDir === undefined ? {} : { dataDir }),
      log: (line) => term.error(`inspect: ${line}`),
    });
    const sessions = inspector.store.sessions().length;
    if (sessions > 0) term.line(term.colors.dim(`${sessions} session${sessions === 1 ? '' : 's'} loaded (${inspector.store.cursor.nextSeq.toLocaleString('en')} events)`));
    printInspectorUrls(term, inspector);
    term.line(term.colors.dim('Ctrl+C stops it.'));
    if (args.values['no-open'] !== true) openInBrowser(inspector.url);
    await untilAborted(io.signal);
    await inspector.close();
    term.line('inspector stopped');
    return EXIT.ok;
  },
};
