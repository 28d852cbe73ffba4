// `assistant-machines serve --api-key-env NAME --cors ORIGIN…`, in-process: the served server
// requires the key from the environment and answers the listed origins' preflights; what it
// prints names the variable, never the key; every mistake is a usage error that echoes no key.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../src/cli/main.ts';
import { captureIO, startServe } from './helpers/cli.ts';

const SECRET = 'sk-served-4e9a1c77';
const PAGE = 'http://127.0.0.1:5173';

test('serve --api-key-env --cors: the key is required, the page may call, the output names the variable only', async () => {
  const serve = startServe(['--api-key-env', 'AM_SERVER_KEY', '--cors', PAGE, '--cors', 'http://localhost:5173,http://[::1]:8080'], { AM_SERVER_KEY: SECRET });
  const url = await serve.listening;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/, 'a key changes nothing about the bind: loopback only');
  try {
    const headers = { 'openai-beta': 'assistants=v2', origin: PAGE };
    assert.is((await fetch(`${url}/assistants`, { headers })).status, 401);
    assert.is((await fetch(`${url}/assistants`, { headers: { ...headers, authorization: 'Bearer sk-nope' } })).status, 401);
    const allowed = await fetch(`${url}/assistants`, { headers: { ...headers, authorization: `Bearer ${SECRET}` } });
    assert.is(allowed.status, 200);
    assert.is(allowed.headers.get('access-control-allow-origin'), PAGE);
    for (const origin of [PAGE, 'http://localhost:5173', 'http://[::1]:8080']) {
      const preflight = await fetch(`${url}/assistants`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
      assert.is(preflight.headers.get('access-control-allow-origin'), origin, origin);
    }
  } finally {
    serve.stop();
  }
  assert.is(await serve.exit, 0);
  const output = serve.output();
  assert.ok(output.includes('OPENAI_API_KEY=$AM_SERVER_KEY'), output);
  assert.ok(output.includes(`Web pages on ${PAGE}, http://localhost:5173, http://[::1]:8080 may call it (CORS).`), output);
  assert.not.ok(output.includes(SECRET), 'the key is never printed');
  assert.not.ok(output.includes(SECRET.slice(3, 10)), 'nor a part of it');
});

test('serve without the flags still says any key works and sends no CORS headers', async () => {
  const serve = startServe([], {});
  const url = await serve.listening;
  try {
    const response = await fetch(`${url}/assistants`, { headers: { 'openai-beta': 'assistants=v2', origin: PAGE } });
    assert.is(response.status, 200);
    assert.is(response.headers.get('access-control-allow-origin'), null);
  } finally {
    serve.stop();
  }
  assert.is(await serve.exit, 0);
  assert.match(serve.output(), /OPENAI_API_KEY=anything\n/);
  assert.not.match(serve.output(), /CORS/);
});

test('mistakes are usage errors (exit 2) that never echo a key', async () => {
  const cases: Array<[string[], Record<string, string>, string]> = [
    [['--api-key-env', 'AM_UNSET'], {}, '--api-key-env: the environment variable AM_UNSET is not set or empty'],
    [['--api-key-env', 'AM_EMPTY'], { AM_EMPTY: '' }, '--api-key-env: the environment variable AM_EMPTY is not set or empty'],
    [['--api-key-env', SECRET], {}, '--api-key-env takes the name of an environment variable (letters, digits and _), not the key itself'],
    [['--api-key-env', 'AM_SPACED'], { AM_SPACED: `${SECRET} x` }, '--api-key-env: the key in AM_SPACED must be visible ASCII characters only'],
    [['--cors', 'http://localhost:5173/app'], {}, '--cors takes origins like http://localhost:5173 (scheme, host and port; no path) or *, got "http://localhost:5173/app"'],
    [['--cors'], {}, "Option '--cors <value>' argument missing"],
  ];
  for (const [args, env, message] of cases) {
    const io = captureIO(env);
    assert.is(await runCli(['serve', ...args], io), 2, args.join(' '));
    assert.ok(io.err().startsWith(`assistant-machines serve: ${message}`), io.err());
    assert.not.ok(io.err().includes(SECRET), `${args.join(' ')}: no key in the message`);
    assert.is(io.out(), '');
  }
});

test('serve --help lists both flags', async () => {
  const io = captureIO();
  assert.is(await runCli(['serve', '--help'], io), 0);
  assert.match(io.out(), /--api-key-env NAME +require the API key held in environment variable NAME/);
  assert.match(io.out(), /--cors ORIGIN +let web pages on ORIGIN call the server/);
});

test.run();
