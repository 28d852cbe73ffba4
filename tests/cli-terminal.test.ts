// Terminal output: decorations only on a terminal without NO_COLOR; plain lines everywhere else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTerminal, isFancy } from '../src/cli/terminal.ts';
import { captureIO } from './helpers/cli.ts';

test('colors and spinners only on a terminal, without NO_COLOR, and not on a dumb one', () => {
  assert.is(isFancy(captureIO({}, true)), true);
  assert.is(isFancy(captureIO({ NO_COLOR: '1' }, true)), false);
  assert.is(isFancy(captureIO({ NO_COLOR: '' }, true)), true, 'an empty NO_COLOR does not count (no-color.org)');
  assert.is(isFancy(captureIO({ TERM: 'dumb' }, true)), false);
  assert.is(isFancy(captureIO({}, false)), false);
});

test('in a pipe, a wait is two plain lines and colors are plain text', () => {
  const io = captureIO({}, false);
  const term = createTerminal(io);
  const upload = term.progress('Uploading policy.md');
  upload.update('Indexing policy.md (status check 1)');
  upload.succeed('policy.md indexed');
  term.line(term.colors.bold(term.colors.cyan('assistant >')));
  assert.is(io.out(), 'Uploading policy.md…\n✓ policy.md indexed\nassistant >\n');
});

test('on a terminal, a spinner redraws one line and leaves only the result behind', async () => {
  const io = captureIO({}, true);
  const term = createTerminal(io);
  const wait = term.progress('Uploading policy.md');
  await new Promise((resolve) => setTimeout(resolve, 200));
  wait.update('Indexing policy.md');
  await new Promise((resolve) => setTimeout(resolve, 100));
  wait.fail('policy.md was not indexed');
  const drawn = io.out();
  assert.ok(drawn.split('\r\x1b[2K').length > 3, 'redrawn in place several times');
  assert.match(drawn, `${term.colors.cyan('⠋')} Uploading policy.md`);
  assert.match(drawn, /Indexing policy\.md/);
  assert.ok(drawn.endsWith(`\r\x1b[2K${term.colors.red('✗')} policy.md was not indexed\n`));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.is(io.out(), drawn, 'nothing is drawn once the wait ended');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what this checks for.
  assert.match(term.colors.cyan('x'), /\x1b\[36m/);
});

test.run();
