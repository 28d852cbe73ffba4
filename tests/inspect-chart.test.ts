// The statechart the UI draws, read from a registered definition: states, nesting, the
// transitions that change state, the active states of a value, the transition just taken.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { activePaths, chartOf, lastTransitionOf } from '../inspect/ui/chart.ts';
import { layoutChart } from '../inspect/ui/layout.ts';
import { messageMachine, runMachine } from '../machines/index.ts';
import { sanitize } from '../inspect/index.ts';

const test = suite('inspect-chart');
const definitionOf = (machine: { config: unknown }) => JSON.parse(JSON.stringify(sanitize(machine.config, { maxString: 10_000, maxNodes: 20_000, maxDepth: 40 })));

test('the run chart: its ten states, and a transition per status event that changes state', () => {
  const chart = chartOf(definitionOf(runMachine));
  assert.is(chart.machineId, 'run');
  assert.equal(chart.states.map((state) => state.id), ['unseen', 'queued', 'in_progress', 'requires_action', 'cancelling', 'completed', 'incomplete', 'failed', 'cancelled', 'expired']);
  assert.ok(chart.transitions.some((t) => t.source === 'requires_action' && t.target === 'queued' && t.event === 'thread.run.queued'));
  assert.not.ok(chart.transitions.some((t) => t.source === 'in_progress' && t.target === 'in_progress'), 'targetless transitions change no state');
  assert.is(chart.states.find((state) => state.id === 'completed')!.kind, 'final');
});

test('the message chart: nested content states, targets relative to the source', () => {
  const chart = chartOf(definitionOf(messageMachine));
  const inProgress = chart.states.find((state) => state.id === 'in_progress')!;
  assert.is(inProgress.kind, 'compound');
  assert.is(inProgress.initial, 'in_progress.none');
  assert.ok(chart.states.some((state) => state.id === 'in_progress.text' && state.parent === 'in_progress'));
  assert.ok(chart.transitions.some((t) => t.source === 'in_progress' && t.target === 'in_progress.text'), "'.text' resolves under the source");
  assert.ok(chart.transitions.some((t) => t.source === 'in_progress' && t.target === 'completed'));
});

test('#id targets, always, after, invoke done; unreadable definitions give an empty chart', () => {
  const chart = chartOf({
    id: 'm',
    initial: 'a',
    states: {
      a: { always: { target: 'b', guard: 'ready' }, after: { 500: '#m.c' } },
      b: { invoke: { src: 'load', onDone: 'c', onError: { target: '#deep' } } },
      c: { initial: 'x', states: { x: { id: 'deep' } } },
    },
  });
  assert.equal(
    chart.transitions.map(({ source, target, event, guard }) => [source, target, event, guard]),
    [['a', 'b', 'always', 'ready'], ['a', 'c', 'after 500', undefined], ['b', 'c', 'done load', undefined], ['b', 'c.x', 'error load', undefined]],
  );
  assert.equal(chartOf('nonsense'), { machineId: '(machine)', states: [], transitions: [] });
  assert.equal(chartOf({ id: 'x', states: { a: { on: { GO: 'nowhere' } } } }).transitions, []);
});

test('active paths of a state value, and the transition taken', () => {
  assert.equal(activePaths('completed'), ['completed']);
  assert.equal(activePaths({ in_progress: 'text' }), ['in_progress', 'in_progress.text']);
  const chart = chartOf(definitionOf(runMachine));
  const taken = lastTransitionOf(chart, { from: 'in_progress', to: 'requires_action', event: 'thread.run.requires_action' });
  assert.equal([taken?.source, taken?.target], ['in_progress', 'requires_action']);
  assert.is(lastTransitionOf(chart, { from: 'queued', to: 'completed', event: 'thread.run.completed' }), undefined, 'a skipped status: no drawn transition');
});

test('dagre lays every state and transition out, nested states inside their parent', () => {
  const layout = layoutChart(chartOf(definitionOf(messageMachine)));
  assert.is(layout.states.length, 8);
  const parent = layout.states.find((state) => state.id === 'in_progress')!;
  const child = layout.states.find((state) => state.id === 'in_progress.text')!;
  assert.ok(Math.abs(child.x - parent.x) <= parent.width / 2 && Math.abs(child.y - parent.y) <= parent.height / 2, 'the child is inside its parent');
  for (const transition of layout.transitions) assert.ok(transition.points.length >= 2, transition.id);
});

test.run();
