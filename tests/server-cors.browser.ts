// A web page calling the embedded server across origins, in a real headless Chromium (Debian's
// package, driven by playwright-core; nothing downloads a browser). The page is served from
// another loopback port — another origin — and loads the library bundled for the browser from
// the current source. With `cors` and an API key it streams a run through our client, tool
// round trip included (and through the official SDK); with CORS off it gets our typed
// connection error at once instead of hanging. Run with `npm run test:browser`.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AssistantsClient } from '../src/index.ts';
import { findChromium } from './helpers/chromium.ts';
import { functionTool, startTestServer, type TestServer } from './helpers/server.ts';

const BUNDLE_DIR = fileURLToPath(new URL('./.build/browser/', import.meta.url));
const KEY = 'sk-browser-page-3b8e';
const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>cross-origin page</title>
<script type="module">
  import * as library from './assistant-machines.js';
  import OpenAI from './openai.js';
  window.library = library;
  window.OpenAI = OpenAI;
  document.title = 'ready';
</script>`;

interface Context {
  browser: Browser;
  page: Page;
  pageServer: Server;
  pageOrigin: string;
  withCors: TestServer;
  withoutCors: TestServer;
  assistantId: string;
}

/** What the page reports back from a run it streamed. */
interface PageRun {
  text: string;
  status: string;
  toolCallNames: string[];
  events: number;
}

const test = suite<Context>('a web page on another origin, in Chromium');

test.before(async (context) => {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error('no Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');
  // The library's main entry as a browser gets it: one ESM file with its dependencies, built
  // for the browser platform, so a Node-only import would fail the build.
  await build({
    entryPoints: { 'assistant-machines': 'src/index.ts', openai: 'node_modules/openai/index.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outdir: BUNDLE_DIR,
    logLevel: 'warning',
  });
  context.pageServer = await servePage();
  context.pageOrigin = `http://127.0.0.1:${(context.pageServer.address() as AddressInfo).port}`;
  context.withCors = await startTestServer({ apiKey: KEY, cors: [context.pageOrigin] });
  context.withoutCors = await startTestServer({ apiKey: KEY });
  const setup = new AssistantsClient({ baseURL: context.withCors.server.url, apiKey: KEY });
  context.assistantId = (await setup.beta.assistants.create({ model: 'scripted', tools: [functionTool('get_weather', 'city')] })).id;
  context.browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  context.page = await context.browser.newPage();
  await context.page.goto(`${context.pageOrigin}/`);
  await context.page.waitForFunction(() => document.title === 'ready');
});

test.after(async ({ browser, pageServer, withCors, withoutCors }) => {
  await browser?.close();
  await withCors?.close();
  await withoutCors?.close();
  await new Promise((resolve) => (pageServer === undefined ? resolve(undefined) : pageServer.close(resolve)));
});

/** A page server on its own loopback port: the HTML above and the bundles. */
async function servePage(): Promise<Server> {
  const { readFile } = await import('node:fs/promises');
  const server = createHttpServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
      return;
    }
    const name = /^\/(assistant-machines|openai)\.js$/.exec(path)?.[1];
    if (name === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(await readFile(`${BUNDLE_DIR}${name}.js`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * Streams a run on the same request in Node, as the reference for what the page should see
 * (the scripted model answers the same question the same way).
 */
async function streamInNode(t: TestServer, assistantId: string, question: string): Promise<PageRun> {
  const client = new AssistantsClient({ baseURL: t.server.url, apiKey: KEY, maxRetries: 0 });
  let stream = client.beta.threads.createAndRunStream({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: question }] } });
  let text = '';
  let events = 0;
  const toolCallNames: string[] = [];
  for (;;) {
    stream.on('event', () => events++);
    stream.on('textDelta', (delta) => (text += delta.value ?? ''));
    const run = await stream.finalRun();
    const calls = run.required_action?.submit_tool_outputs.tool_calls ?? [];
    if (run.status !== 'requires_action') return { text, status: run.status, toolCallNames, events };
    toolCallNames.push(...calls.map((call) => call.function.name));
    stream = client.beta.threads.runs.submitToolOutputsStream(run.id, {
      thread_id: run.thread_id,
      tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: `sunny in ${JSON.parse(call.function.arguments).city}` })),
    });
  }
}

test('with CORS on and the key, the page streams a run and its tool round trip through our client', async ({ page, withCors, assistantId }) => {
  const question = "What's the weather in Paris?";
  const fromPage = await page.evaluate(
    async ({ baseURL, apiKey, assistantId, question }) => {
      const { AssistantsClient } = (window as unknown as { library: typeof import('../src/index.ts') }).library;
      const client = new AssistantsClient({ baseURL, apiKey, maxRetries: 0 });
      let stream = client.beta.threads.createAndRunStream({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: question }] } });
      let text = '';
      let events = 0;
      const toolCallNames: string[] = [];
      for (;;) {
        stream.on('event', () => events++);
        stream.on('textDelta', (delta) => (text += delta.value ?? ''));
        const run = await stream.finalRun();
        const calls = run.required_action?.submit_tool_outputs.tool_calls ?? [];
        if (run.status !== 'requires_action') return { text, status: run.status, toolCallNames, events };
        toolCallNames.push(...calls.map((call) => call.function.name));
        stream = client.beta.threads.runs.submitToolOutputsStream(run.id, {
          thread_id: run.thread_id,
          tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: `sunny in ${JSON.parse(call.function.arguments).city}` })),
        });
      }
    },
    { baseURL: withCors.server.url, apiKey: KEY, assistantId, question },
  );
  const fromNode = await streamInNode(withCors, assistantId, question);
  assert.is(fromPage.status, 'completed');
  assert.equal(fromPage.toolCallNames, ['get_weather']);
  assert.match(fromPage.text, /sunny in Paris/, 'the answer quotes the tool output the page submitted');
  assert.equal(fromPage, fromNode, 'the page saw what Node sees on the same request');
});

test('the page streams through the official openai package too (its x-stainless-* headers pass the preflight)', async ({ page, withCors, assistantId }) => {
  const fromPage = await page.evaluate(
    async ({ baseURL, apiKey, assistantId }) => {
      const OpenAI = (window as unknown as { OpenAI: typeof import('openai').default }).OpenAI;
      const openai = new OpenAI({ baseURL, apiKey, maxRetries: 0, dangerouslyAllowBrowser: true });
      const stream = openai.beta.threads.createAndRunStream({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Hello there' }] } });
      let text = '';
      stream.on('textDelta', (delta) => (text += delta.value ?? ''));
      const run = await stream.finalRun();
      return { text, status: run.status };
    },
    { baseURL: withCors.server.url, apiKey: KEY, assistantId },
  );
  const fromNode = await streamInNode(withCors, assistantId, 'Hello there');
  assert.equal(fromPage, { text: fromNode.text, status: 'completed' });
  assert.ok(fromPage.text.length > 0);
});

test('with CORS on and a wrong key, the page can read the 401: our AuthenticationError', async ({ page, withCors }) => {
  const seen = await page.evaluate(async (baseURL) => {
    const { AssistantsClient } = (window as unknown as { library: typeof import('../src/index.ts') }).library;
    const error = (await new AssistantsClient({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 }).beta.assistants.list().then(
      () => ({}),
      (caught: unknown) => caught,
    )) as { name: string; kind: string; status: number; code: string };
    return { name: error.name, kind: error.kind, status: error.status, code: error.code };
  }, withCors.server.url);
  assert.equal(seen, { name: 'AuthenticationError', kind: 'authentication', status: 401, code: 'invalid_api_key' });
});

test('with CORS off, the page gets our typed connection error, not a hang', async ({ page, withoutCors, assistantId }) => {
  const seen = await page.evaluate(
    async ({ baseURL, apiKey, assistantId }) => {
      const { AssistantsClient, APIConnectionError } = (window as unknown as { library: typeof import('../src/index.ts') }).library;
      // Retries on: a refused call is a connection error, retried and then reported.
      const client = new AssistantsClient({ baseURL, apiKey, maxRetries: 1 });
      const listed = (await client.beta.assistants.list().then(
        () => new Error('listed'),
        (caught: unknown) => caught,
      )) as Error;
      const streamed = (await client.beta.threads
        .createAndRunStream({ assistant_id: assistantId, thread: { messages: [{ role: 'user', content: 'Hello' }] } })
        .done()
        .then(
          () => new Error('streamed'),
          (caught: unknown) => caught,
        )) as Error & { kind: string };
      return {
        list: { name: listed.name, isConnectionError: listed instanceof APIConnectionError, kind: (listed as Error & { kind: string }).kind },
        stream: { name: streamed.name, kind: streamed.kind, causeIsConnectionError: streamed.cause instanceof APIConnectionError },
      };
    },
    { baseURL: withoutCors.server.url, apiKey: KEY, assistantId },
  );
  assert.equal(seen, {
    list: { name: 'APIConnectionError', isConnectionError: true, kind: 'connection' },
    stream: { name: 'AssistantStreamError', kind: 'source', causeIsConnectionError: true },
  });
});

test.run();
