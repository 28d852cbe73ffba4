// `GET /metrics` behind a bearer token (`metrics: { bearerToken }`, `serve --metrics-token-file`):
// what Prometheus sends with `authorization` or `bearer_token_file`. Without the token, or with
// another, a 401 that says how to send it, and no metric; /healthz and /readyz stay open for
// probes. An empty token is refused where it is given.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { createServer } from '../src/server/index.ts';
import { captureIO, startServe } from './helpers/cli.ts';
import { startTestServer } from './helpers/server.ts';

const TOKEN = 'scrape-7f3a9c41d2e8';
const test = suite('server metrics token');

test('with a bearer token, /metrics answers only a request that carries it', async () => {
  const t = await startTestServer({ metrics: { bearerToken: TOKEN } });
  try {
    const root = t.server.url.replace(/\/v1$/, '');
    await t.openai.beta.assistants.create({ model: 'scripted' });
    for (const authorization of [undefined, 'Bearer scrape-wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer ']) {
      const refused = await fetch(`${root}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      assert.is(refused.status, 401, String(authorization));
      assert.is(refused.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      const body = await refused.text();
      assert.match(body, /"code":"invalid_metrics_token"/);
      assert.match(body, /Authorization: Bearer/);
      assert.not.match(body, /assistant_machines_/, 'no metric in a refusal');
      assert.not.ok(body.includes(TOKEN), 'the token is never echoed');
    }
    const allowed = await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.is(allowed.status, 200);
    assert.match(await allowed.text(), /assistant_machines_http_requests_total\{method="POST",route="\/v1\/assistants",status="200"\} 1/);
    // The scheme is case-insensitive (RFC 7235); probes need no token.
    assert.is((await fetch(`${root}/metrics`, { headers: { authorization: `bearer ${TOKEN}` } })).status, 200);
    assert.is((await fetch(`${root}/healthz`)).status, 200);
    assert.is((await fetch(`${root}/readyz`)).status, 200);
  } finally {
    await t.close();
  }
});

test('an empty or padded token is refused when the server is made', async () => {
  for (const bearerToken of ['', ' ', 'two words', 'tab\there']) {
    await createServer({ metrics: { bearerToken } }).then(
      async (server) => {
        await server.close();
        assert.unreachable(`${JSON.stringify(bearerToken)} was taken`);
      },
      (error: unknown) => {
        assert.instance(error, TypeError);
        assert.match((error as Error).message, /^options\.metrics\.bearerToken must be/);
      },
    );
  }
});

test('serve --metrics-token-file: the file\'s token (its last newline dropped) guards /metrics; an empty or missing file is a usage error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-token-'));
  try {
    const file = join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`);
    const serve = startServe(['--metrics-token-file', file], {});
    const root = (await serve.listening).replace(/\/v1$/, '');
    try {
      assert.is((await fetch(`${root}/metrics`)).status, 401);
      assert.is((await fetch(`${root}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    } finally {
      serve.stop();
    }
    assert.is(await serve.exit, 0);
    assert.not.ok(serve.output().includes(TOKEN), 'the token is never printed');

    writeFileSync(file, '\n');
    for (const [path, message] of [
      [file, `--metrics-token-file: ${file} holds no token`],
      [join(dir, 'missing'), `--metrics-token-file: cannot read ${join(dir, 'missing')}`],
    ] as const) {
      const failed = captureIO();
      assert.is(await runCli(['serve', '--metrics-token-file', path], failed), 2);
      assert.ok(failed.err().startsWith(`assistant-machines serve: ${message}`), failed.err());
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
