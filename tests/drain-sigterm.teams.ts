// SIGTERM during 100 open streams, the server a child process (`serve`, SQLite): every stream
// either completes or ends with the run's documented ending (thread.run.failed with
// ENDED_BY_SHUTDOWN, then [DONE]), the process exits 0, and the database holds no run, step or
// message left half-way.
import { createClient } from '@libsql/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ENDED_BY_SHUTDOWN } from '../src/server/index.ts';
import { spawnCli } from './helpers/cli.ts';

const STREAMS = 100;
const test = suite('SIGTERM drains 100 open streams');

test('every stream completes or ends as documented; nothing half-written in storage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'am-drain-'));
  try {
    let url: string | undefined;
    let signalled = false;
    const bodies: Array<Promise<string>> = [];
    let ready: () => void = () => {};
    const listening = new Promise<void>((resolve) => (ready = resolve));
    let terminate: () => void = () => {};
    const exited = spawnCli(['serve', '--port', '0', '--data-dir', dir, '--drain-timeout', '3'], {}, (stdout, child) => {
      url ??= /listening on (http:\/\/\S+\/v1)/.exec(stdout)?.[1];
      if (url !== undefined) {
        terminate = () => {
          if (!signalled) child.kill('SIGTERM');
          signalled = true;
        };
        ready();
      }
    });
    await listening;
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'openai-beta': 'assistants=v2' }, body: JSON.stringify(body) });
    const assistant = (await (await post('/assistants', { model: 'scripted' })).json()) as { id: string };
    // Half answer in about a second at serve's pace; half are slow (100 ms a word) and most outlast the bound.
    const firstBytes: Array<Promise<void>> = [];
    for (let index = 0; index < STREAMS; index += 1) {
      const response = await post('/threads/runs', {
        assistant_id: assistant.id,
        stream: true,
        thread: { messages: [{ role: 'user', content: `Tell me about the harbour, number ${index}.` }] },
        ...(index % 2 === 1 ? { metadata: { scenario: 'slow' } } : {}),
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let seen: () => void = () => {};
      firstBytes.push(new Promise((resolve) => (seen = resolve)));
      bodies.push(
        (async () => {
          let text = '';
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return text;
            text += value;
            seen();
          }
        })(),
      );
    }
    await Promise.all(firstBytes);
    terminate();
    const texts = await Promise.all(bodies);
    const { code } = await exited;
    assert.is(code, 0);

    let completed = 0;
    let ended = 0;
    for (const [index, text] of texts.entries()) {
      assert.match(text, /event: done\ndata: \[DONE\]\n\n$/, 'every stream ends with [DONE]');
      const last = [...text.matchAll(/^event: (thread\.run\.\w+)$/gm)].at(-1)?.[1];
      if (last === 'thread.run.completed') completed += 1;
      else {
        assert.is(index % 2, 1, `quick run ${index} finished within the bound`);
        assert.is(last, 'thread.run.failed');
        assert.ok(text.includes(ENDED_BY_SHUTDOWN.message));
        ended += 1;
      }
    }
    assert.is(completed + ended, STREAMS);
    assert.ok(completed >= STREAMS / 2 && ended > 0, `${completed} completed, ${ended} ended by the drain`);

    const db = createClient({ url: pathToFileURL(join(dir, 'assistant-machines.db')).href });
    const rows = async (kind: string) => (await db.execute({ sql: 'SELECT data FROM objects WHERE kind = ?', args: [kind] })).rows.map((row) => JSON.parse(String(row['data'])) as Record<string, unknown>);
    const runs = (await rows('run')).map((stored) => stored['run'] as { status: string });
    assert.is(runs.length, STREAMS);
    assert.equal([...new Set(runs.map((run) => run.status))].sort(), ['completed', 'failed']);
    assert.ok((await rows('step')).every((step) => step['status'] !== 'in_progress'), 'no step left in progress');
    assert.ok((await rows('message')).every((message) => message['status'] !== 'in_progress'), 'no message left in progress');
    db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
