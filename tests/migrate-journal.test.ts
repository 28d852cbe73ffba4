// The migration journal: which conversation each thread became, saved as soon as it is known,
// whole (write then rename). Threads copied side by side record at once: every record lands.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MigrationJournal } from '../src/cli/migrate/journal.ts';

test('records made at once are all saved, and a journal opened again knows them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  try {
    const journal = await MigrationJournal.open(dir, 'http://from/v1', 'http://to/v1');
    const ids = Array.from({ length: 24 }, (_, index) => `thread_${index}`);
    await Promise.all(ids.map((id, index) => journal.record(id, `conv_${index}`)));
    await journal.record('thread_3', undefined);
    const saved = JSON.parse(await readFile(journal.path, 'utf8')) as { threads: Record<string, string> };
    assert.is(Object.keys(saved.threads).length, 23);
    const reopened = await MigrationJournal.open(dir, 'http://from/v1', 'http://to/v1');
    assert.is(reopened.conversationOf('thread_23'), 'conv_23');
    assert.is(reopened.conversationOf('thread_3'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a dry run\'s journal writes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  try {
    const journal = await MigrationJournal.open(dir, 'http://from/v1', 'http://to/v1', { write: false });
    await journal.record('thread_a', 'conv_a');
    assert.is(journal.conversationOf('thread_a'), 'conv_a');
    await readFile(journal.path, 'utf8').then(() => assert.unreachable('written'), (error: NodeJS.ErrnoException) => assert.is(error.code, 'ENOENT'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
