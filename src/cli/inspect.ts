import { createInspector } from '../../inspect/index.ts';
import { EXIT, optionalString, type Command } from './command.ts';
import { openInBrowser, printInspectorUrls, untilAborted } from './inspection.ts';
import { parsePort } from './serve.ts';
import { createTerminal } from './terminal.ts';

/** `inspect`: the inspector, standalone. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'serve the inspector (UI + WebSocket for XState inspection frames) until Ctrl+C',
  usage: 'inspect [--port N] [--host H] [--no-open]',
  description: [
    'Starts the inspector and prints two lines: the URL of its UI, then the WebSocket URL that',
    'XState apps send frames to (`createWebSocketInspector({ url })` of @statelyai/inspect, or',
    '`--inspect WS_URL` of demo, run and replay). Both carry a random token; the server binds',
    '127.0.0.1 unless --host says otherwise. Opens the UI in a browser unless --no-open.',
  ].join('\n'),
  options: {
    port: { type: 'string', value: 'N', description: 'the port to listen on (default: a free one)' },
    host: { type: 'string', value: 'H', description: 'the interface to bind (default 127.0.0.1: this machine only)' },
    'no-open': { type: 'boolean', description: 'do not open the UI in a browser' },
  },
  positionals: { min: 0, max: 0, name: 'argument' },
  async run(args, io) {
    const port = parsePort(optionalString(args, 'port') ?? '0');
    const host = optionalString(args, 'host');
    const term = createTerminal(io);
    const inspector = await createInspector({ port, ...(host === undefined ? {} : { host }) });
    printInspectorUrls(term, inspector);
    term.line(term.colors.dim('Ctrl+C stops it.'));
    if (args.values['no-open'] !== true) openInBrowser(inspector.url);
    await untilAborted(io.signal);
    await inspector.close();
    term.line('inspector stopped');
    return EXIT.ok;
  },
};
