// What every Restate test file starts: the embedded server (behind a proxy that records each
// create and submission with its Idempotency-Key), a real restate-server, and workers on a fixed
// port (a deployment is pinned by its URI, so a worker that replaces a killed one listens where
// it did). Plus the ingress calls the tests make, over plain HTTP as any client would.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEATHER_AND_TIME } from './assistantRun.ts';
import { startForwardingProxy, type ForwardingProxy } from './forwardingProxy.ts';
import { freePort, startRestate, type RestateServer } from './restate.ts';
import { startWorker, type RestateWorker } from './restateWorkers.ts';
import { startTestServer, type TestServer } from './server.ts';
import type { ServerOptions } from '../../src/server/index.ts';
import type { DurableRunState } from '../../src/restate/index.ts';

/** One create, submission or run retrieve as the proxy saw it answered. */
export interface SeenPost {
  kind: 'create' | 'submit' | 'conversation' | 'retrieve';
  /** The thread (create, Assistants), the run (submit or retrieve, Assistants; `thread:<id>` for a look-up by key); on Responses, the calls a continuation answers (`calls:<sorted ids>`), or the conversation or previous response a create goes on from; a conversation made for a key: the key. */
  target: string;
  idempotencyKey: string;
  status: number;
}

export interface RestateSuite {
  ts: TestServer;
  proxy: ForwardingProxy;
  restate: RestateServer;
  assistantId: string;
  /** Every create and submission answered, in order. */
  posts: SeenPost[];
  /** The lines workers recorded (`tool <call id> <worker>`, `run <key> <worker>`). */
  records(): string[][];
  /** Starts a worker for the suite's server; `port` defaults to the suite's (registered) port. */
  worker(env?: Record<string, string>, port?: number): Promise<RestateWorker>;
  /** The suite's deployment port (the first worker registers it). */
  port: number;
  /** Calls the ingress (a handler: POST `body`; `/restate/…`: GET); resolves with the status and the parsed body. */
  ingress<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** Sends a run to `object/key` without waiting: its invocation id. */
  sendRun(object: string, key: string, input: unknown, idempotencyKey?: string): Promise<string>;
  /** Waits for an invocation's result (status and body). */
  attach<T = unknown>(invocationId: string): Promise<{ status: number; body: T }>;
  /** Drops the connection of the next create-run stream on `threadId` after its first frames. */
  cutNextCreate(threadId: string): void;
  /** The `state` handler's answer for `object/key`. */
  state(object: string, key: string): Promise<DurableRunState | null>;
  close(): Promise<void>;
}

const SUBMIT = /^\/threads\/[^/]+\/runs\/([^/]+)\/submit_tool_outputs$/;
const CREATE = /^\/threads\/([^/]+)\/runs$/;
const RETRIEVE = /^\/threads\/[^/]+\/runs\/(run_[^/?]+)$/;
// A run looked up by its key in the thread's newest runs (its id never seen).
const LOOK_UP = /^\/threads\/([^/]+)\/runs\?/;

/** Starts the suite's pieces (no worker yet: `suite.worker()` starts one and registers it); `serverOptions` go to the embedded server. */
export async function startRestateSuite(serverOptions: ServerOptions = {}): Promise<RestateSuite> {
  const ts = await startTestServer(serverOptions);
  const posts: SeenPost[] = [];
  const cuts = new Set<string>();
  const proxy = await startForwardingProxy(
    () => ts.server.url,
    async (path, upstream, client, request) => {
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : '';
      const submit = SUBMIT.exec(path);
      const create = CREATE.exec(path);
      const retrieve = RETRIEVE.exec(path);
      const lookUp = LOOK_UP.exec(path);
      if (request.method === 'GET' && retrieve) posts.push({ kind: 'retrieve', target: retrieve[1]!, idempotencyKey, status: upstream.status });
      if (request.method === 'GET' && lookUp) posts.push({ kind: 'retrieve', target: `thread:${lookUp[1]!}`, idempotencyKey, status: upstream.status });
      if (request.method === 'POST' && submit) posts.push({ kind: 'submit', target: submit[1]!, idempotencyKey, status: upstream.status });
      else if (request.method === 'POST' && create) posts.push({ kind: 'create', target: create[1]!, idempotencyKey, status: upstream.status });
      if (request.method === 'POST' && create && cuts.delete(create[1]!)) {
        // The connection drops once the run is in progress (its first events read): the worker
        // sees the stream break after it began, which the client does not retry.
        client.writeHead(upstream.status, Object.fromEntries(upstream.headers));
        const reader = upstream.body!.getReader();
        let text = '';
        while (!text.includes('thread.run.in_progress')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
          client.write(value);
        }
        await reader.cancel();
        client.destroy();
        return true;
      }
      else if (request.method === 'POST' && path === '/conversations') {
        const body = JSON.parse(request.body || '{}') as { metadata?: Record<string, string> };
        posts.push({ kind: 'conversation', target: body.metadata?.['assistant_machines_thread'] ?? '', idempotencyKey, status: upstream.status });
      } else if (request.method === 'POST' && path === '/responses') {
        const body = JSON.parse(request.body || '{}') as { previous_response_id?: string; conversation?: string; input?: Array<{ type?: string; call_id?: string }> };
        const answered = Array.isArray(body.input) ? body.input.filter((item) => item.type === 'function_call_output').map((item) => String(item.call_id)) : [];
        const target = answered.length > 0 ? callsTarget(answered) : (body.conversation ?? body.previous_response_id ?? '');
        posts.push({ kind: answered.length > 0 ? 'submit' : 'create', target, idempotencyKey, status: upstream.status });
      }
      return false;
    },
  );
  const restate = await startRestate();
  const assistantId = (await ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME })).id;
  const dir = mkdtempSync(join(tmpdir(), 'restate-suite-'));
  const recordFile = join(dir, 'records');
  const port = await freePort();
  let registered = false;
  const workers: RestateWorker[] = [];
  const ingress = async <T>(path: string, body?: unknown, headers: Record<string, string> = {}) => {
    // Restate's own endpoints (attach, a workflow's output) are GETs; handlers are POSTs.
    const get = path.startsWith('/restate/');
    const answer = await fetch(`${restate.ingressUrl}${path}`, {
      method: get ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      ...(get ? {} : { body: JSON.stringify(body ?? null) }),
    });
    const text = await answer.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: answer.status, body: parsed as T };
  };
  return {
    ts,
    proxy,
    restate,
    assistantId,
    posts,
    port,
    records: () => {
      try {
        return readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => line.split(' '));
      } catch {
        return [];
      }
    },
    async worker(env = {}, workerPort = port) {
      const worker = await startWorker({ AM_BASE_URL: proxy.url, RECORD_FILE: recordFile, PORT: String(workerPort), ...env });
      workers.push(worker);
      if (workerPort !== port || !registered) {
        await restate.register(worker.url);
        if (workerPort === port) registered = true;
      }
      return worker;
    },
    ingress,
    async sendRun(object, key, input, idempotencyKey) {
      const answer = await ingress<{ invocationId: string }>(`/${object}/${key}/run/send`, input, idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey });
      if (answer.status >= 300) throw new Error(`sending a run to ${object}/${key}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.invocationId;
    },
    attach: (invocationId) => ingress(`/restate/invocation/${invocationId}/attach`),
    cutNextCreate: (threadId) => void cuts.add(threadId),
    state: async (object, key) => (await ingress<DurableRunState | null>(`/${object}/${key}/state`)).body,
    async close() {
      // A failed test may leave its workers up: none outlives the suite.
      await Promise.all(workers.map((worker) => worker.kill()));
      await restate.stop();
      await proxy.close();
      await ts.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The question every tool-loop run asks (two calls in one pause, then the answer). */
export const ASK_WEATHER_AND_TIME = (city = 'Paris') => [{ role: 'user' as const, content: `What's the weather and the time in ${city}?` }];

/** The answer the scripted model gives once both tools returned. */
export const EXPECTED_ANSWER = (city = 'Paris') => `The tools returned:\n- get_weather: {"city":"${city}","temp":"22C"}\n- get_time: 14:00`;

/** The text of a run output's messages. */
export function answerOf(output: { messages: Array<{ content: Array<{ type: string; text?: { value: string } }> }> }): string {
  return output.messages.map((message) => message.content.map((part) => part.text?.value ?? '').join('')).join('');
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Probes until it gives a value (a probe that throws counts as none yet), for at most 30 s. */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** How the proxy names a Responses continuation: by the calls it answers. */
export const callsTarget = (callIds: string[]) => `calls:${[...callIds].sort().join(',')}`;
