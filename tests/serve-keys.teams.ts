// `serve --keys FILE` in a child process: each key opens its tenant; rewriting the file and
// sending SIGHUP refuses a removed key from the next request; a malformed file on SIGHUP keeps
// the keys in force. And a flood from one key (`--requests-per-minute`) is answered 429 while
// another key's runs all go through.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hashKey } from '../src/server/index.ts';
import { spawnCli } from './helpers/cli.ts';
import { tenantRequest } from './helpers/tenants.ts';

const KEY_A = 'sk-serve-a-4b0e7d19c2';
const KEY_B = 'sk-serve-b-e83a51f60d';
const test = suite('serve --keys, SIGHUP and floods');

test('SIGHUP reloads the keys file: a removed key is refused from the next request', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'am-keys-'));
  const file = join(dir, 'keys.txt');
  await writeFile(file, `# tenant sha256 name\nacme ${hashKey(KEY_A)} acme-ci\nglobex sha256:${hashKey(KEY_B)}\n`);
  let url: string | undefined;
  let child: Parameters<NonNullable<Parameters<typeof spawnCli>[2]>>[1] | undefined;
  let ready: () => void = () => {};
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const exited = spawnCli(['serve', '--port', '0', '--fast', '--keys', file, '--requests-per-minute', '30'], {}, (stdout, spawned) => {
    url ??= /listening on (http:\/\/\S+\/v1)/.exec(stdout)?.[1];
    child = spawned;
    if (url !== undefined) ready();
  });
  try {
    await listening;
    const asA = tenantRequest(url!, KEY_A);
    const asB = tenantRequest(url!, KEY_B);
    assert.is((await asB('/assistants')).status, 200);

    // A flood from A: about 30 go through, the rest are 429s; B's runs all complete meanwhile.
    const openaiB = new OpenAI({ baseURL: url!, apiKey: KEY_B, maxRetries: 0 });
    const assistant = await openaiB.beta.assistants.create({ model: 'scripted' });
    const [flood, runs] = await Promise.all([
      Promise.all(Array.from({ length: 200 }, () => asA('/assistants').then((answer) => answer.status))),
      Promise.all(
        Array.from({ length: 4 }, () =>
          openaiB.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What is 2 + 2?' }] } }, { pollIntervalMs: 20 }),
        ),
      ),
    ]);
    const refused = flood.filter((status) => status === 429).length;
    assert.ok(refused >= 165 && refused <= 172, `${refused} of 200 refused`);
    assert.ok(runs.every((run) => run.status === 'completed'), 'B is not slowed down by A');

    await writeFile(file, `acme ${hashKey(KEY_A)} acme-ci\n`);
    child!.kill('SIGHUP');
    for (let tries = 0; tries < 200 && (await asB('/assistants')).status !== 401; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.is((await asB('/assistants')).status, 401, 'B refused after the reload');

    await writeFile(file, 'acme not-a-hash\n');
    child!.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stillA = await new OpenAI({ baseURL: url!, apiKey: KEY_A, maxRetries: 3 }).beta.assistants.list();
    assert.ok(Array.isArray(stillA.data), 'a malformed file keeps the keys in force');
  } finally {
    child?.kill('SIGTERM');
    const { code, stderr, stdout } = await exited;
    assert.is(code, 0);
    assert.match(stderr, /keys reloaded from .*keys\.txt: 1/);
    assert.match(stderr, /keys not reloaded, the previous ones stay: .*line 1: expected the SHA-256/);
    assert.not.ok(`${stdout}${stderr}`.includes(KEY_A) || `${stdout}${stderr}`.includes(KEY_B), 'no key printed');
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
