// The drawn statecharts are the machines as they are now: regenerate with `npm run diagrams`.
import { readFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMachine } from 'xstate';
import { DIAGRAM_FILES, DRAWN_MACHINES, fillStatechartRegions, statechartToMermaid } from '../scripts/diagrams.ts';
import { runMachine } from '../machines/index.ts';

test('the committed diagrams are what the machines produce now (npm run diagrams)', async () => {
  for (const file of DIAGRAM_FILES) {
    const committed = await readFile(new URL(`../${file}`, import.meta.url), 'utf8');
    assert.fixture(committed, fillStatechartRegions(committed), `${file} is stale: run npm run diagrams`);
  }
});

test('docs/statecharts.md draws every machine', async () => {
  const doc = await readFile(new URL('../docs/statecharts.md', import.meta.url), 'utf8');
  for (const name of Object.keys(DRAWN_MACHINES)) assert.match(doc, `<!-- statechart:${name}:start -->\n\`\`\`mermaid\nstateDiagram-v2\n`);
});

test('a drawing has the initial state, the final states and every transition with its events', () => {
  const diagram = statechartToMermaid(runMachine);
  assert.ok(diagram.startsWith('stateDiagram-v2\n  [*] --> unseen\n'));
  for (const line of ['  completed --> [*]', '  unseen --> queued : thread.run.created [createdQueued], thread.run.created [tolerant], thread.run.queued',
    '  queued --> completed : thread.run.completed [tolerant]', '  requires_action --> queued : thread.run.queued', '  queued --> queued : thread.run.queued']) {
    assert.ok(diagram.split('\n').includes(line), line);
  }
});

test('nested states, guards, invoked actors, eventless transitions and event families are drawn', () => {
  const machine = createMachine({
    id: 'sample',
    initial: 'outer',
    on: { 'stop.now': '.stopped' },
    states: {
      outer: {
        initial: 'inner',
        states: { inner: { invoke: { id: 'job', src: 'job', onDone: '#sample.settled' } } },
        on: { 'a.one': 'checking', 'a.two': 'checking', 'a.three': 'checking' },
      },
      checking: { always: [{ guard: 'isReady', target: 'settled' }, { target: 'outer' }] },
      settled: { type: 'final' },
      stopped: { type: 'final' },
    },
  });
  assert.is(
    statechartToMermaid(machine),
    [
      'stateDiagram-v2',
      '  [*] --> outer',
      '  state outer {',
      '    [*] --> outer_inner',
      '    state "inner" as outer_inner',
      '  }',
      '  settled --> [*]',
      '  stopped --> [*]',
      '  outer --> stopped : stop.now',
      '  checking --> stopped : stop.now',
      '  outer --> checking : a.*',
      '  outer_inner --> settled : job done',
      '  checking --> settled : always [isReady]',
      '  checking --> outer : always',
      '',
    ].join('\n'),
  );
});

test.run();
