// The statechart the UI draws, read from a registered definition: states, nesting, guards, the
// transitions that change state (merged per pair of states), the events a state handles in
// place, the transitions just taken (exactly, from XState's microsteps), and ELK's layout of it
// with its legibility measured: crossing edge pairs on the run and stream charts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assign, createActor, createMachine, fromPromise } from 'xstate';
import { activePaths, chartOf, commonEventPrefix, edgesOf, takenTransitions } from '../inspect/ui/chart.ts';
import { compact, layoutChart } from '../inspect/ui/layout.ts';
import { crossingPairs, shareInside } from '../inspect/ui/legibility.ts';
import { assistantStreamMachine, messageMachine, runMachine } from '../machines/index.ts';
import { createFrameObserver, InspectorStore, sanitize } from '../inspect/index.ts';

const test = suite('inspect-chart');
const definitionOf = (machine: { config: unknown }) => JSON.parse(JSON.stringify(sanitize(machine.config, { maxString: 10_000, maxNodes: 20_000, maxDepth: 40 })));

test('the run chart: its ten states, a transition per status event that changes state, guards kept', () => {
  const chart = chartOf(definitionOf(runMachine));
  assert.is(chart.machineId, 'run');
  assert.is(chart.initial, 'unseen');
  assert.equal(chart.states.map((state) => state.id), ['unseen', 'queued', 'in_progress', 'requires_action', 'cancelling', 'completed', 'incomplete', 'failed', 'cancelled', 'expired']);
  assert.ok(chart.transitions.some((t) => t.source === 'requires_action' && t.target === 'queued' && t.event === 'thread.run.queued'));
  assert.not.ok(chart.transitions.some((t) => t.source === 'in_progress' && t.target === 'in_progress'), 'targetless transitions change no state');
  assert.is(chart.states.find((state) => state.id === 'completed')!.kind, 'final');
  // unseen → queued is one edge: its three transitions are lines of one label, guards shown.
  const unseenQueued = edgesOf(chart).filter((edge) => edge.source === 'unseen' && edge.target === 'queued');
  assert.is(unseenQueued.length, 1);
  assert.equal(unseenQueued[0]!.labels.map((label) => [label.event, label.guards]), [['thread.run.created', ['createdQueued', 'tolerant']], ['thread.run.queued', []]]);
  assert.is(commonEventPrefix(chart), 'thread.run.');
});

test('the stream chart: the machine\'s own transitions, the fallback branches as [else], and the events it handles in place', () => {
  const chart = chartOf(definitionOf(assistantStreamMachine));
  const fromMachine = chart.transitions.filter((t) => t.source === '');
  assert.equal([...new Set(fromMachine.map((t) => t.target))].sort(), ['aborted', 'failed']);
  const created = chart.transitions.find((t) => t.source === 'streaming' && t.event === 'thread.run.created')!;
  assert.equal([created.target, created.guard], ['failed', 'else'], 'taken only when isNewRun and runAccepts both fail');
  const streaming = chart.states.find((state) => state.id === 'streaming')!;
  assert.ok(streaming.handles.some((label) => label.event === 'thread.run.created' && label.guards.join() === 'isNewRun,runAccepts'));
  // Folded for the drawing: 24 events into failed make a few lines, the whole list in their titles.
  const lines = compact(edgesOf(chart).find((edge) => edge.source === 'streaming' && edge.target === 'failed')!.labels);
  assert.ok(lines.length <= 6, `${lines.length} lines`);
  assert.ok(lines.some((line) => line.title.includes('thread.run.{created, queued, in_progress')));
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

test('#id targets, always, after, invoke done, history; unreadable definitions give an empty chart', () => {
  const chart = chartOf({
    id: 'm',
    initial: 'a',
    states: {
      a: { always: { target: 'b', guard: 'ready' }, after: { 5000: '#m.c' } },
      b: { invoke: { src: 'load', onDone: 'c', onError: { target: '#deep' } } },
      c: { initial: 'x', states: { x: { id: 'deep' }, h: { type: 'history', history: 'deep' } } },
    },
  });
  assert.equal(
    chart.transitions.map(({ source, target, event, kind, guard }) => [source, target, event, kind, guard]),
    [['a', 'b', 'always', 'always', 'ready'], ['a', 'c', 'after 5 s', 'after', undefined], ['b', 'c', 'done load', 'done', undefined], ['b', 'c.x', 'error load', 'error', undefined]],
  );
  assert.equal([chart.states.find((state) => state.id === 'c.h')!.kind, chart.states.find((state) => state.id === 'c.h')!.history], ['history', 'deep']);
  assert.equal(chartOf('nonsense'), { machineId: '(machine)', initial: undefined, states: [], transitions: [] });
  assert.equal(chartOf({ id: 'x', states: { a: { on: { GO: 'nowhere' } } } }).transitions, []);
});

test('active paths of a state value, and the transition taken when no microsteps were reported', () => {
  assert.equal(activePaths('completed'), ['completed']);
  assert.equal(activePaths({ in_progress: 'text' }), ['in_progress', 'in_progress.text']);
  const chart = chartOf(definitionOf(runMachine));
  const [taken] = takenTransitions(chart, { from: 'in_progress', to: 'requires_action', event: 'thread.run.requires_action' });
  assert.equal([taken?.source, taken?.target], ['in_progress', 'requires_action']);
  const [skipped] = takenTransitions(chart, { from: 'queued', to: 'completed', event: 'thread.run.completed' });
  assert.is(skipped?.guard, 'tolerant', 'a skipped status is drawn as a tolerant-only transition');
  assert.equal(takenTransitions(chart, { from: 'completed', to: 'in_progress', event: 'thread.run.in_progress' }), [], 'an impossible order: no drawn transition');
});

test('every kind of transition is marked from the state the actor was in: after, always through a transient state, invoke done and error, a compound state\'s own', async () => {
  const machine = createMachine(
    {
      id: 'kinds',
      initial: 'waiting',
      context: { n: 0 },
      states: {
        waiting: { after: { 20: 'loading' } },
        loading: { invoke: { src: 'load', id: 'loader', onDone: 'deciding', onError: 'failed' } },
        deciding: { always: [{ guard: ({ context }) => context.n > 0, target: 'failed' }, { target: 'working' }] },
        working: {
          initial: 'one',
          on: { RESET: { target: 'waiting', actions: assign({ n: 1 }) } },
          states: { one: { on: { NEXT: 'two' } }, two: {} },
        },
        failed: { type: 'final' },
      },
    },
    { actors: { load: fromPromise(async () => 'ok') } },
  );
  const store = new InspectorStore();
  const actor = createActor(machine, { inspect: createFrameObserver((frame) => store.ingest(frame)) }).start();
  const chart = chartOf(definitionOf(machine));
  const marked = () => {
    const [view] = store.actors();
    return takenTransitions(chart, view!.lastTransition).map((t) => `${t.source}→${t.target} ${t.event}`);
  };
  await new Promise((resolve) => setTimeout(resolve, 60));
  // The invoke's done went into `deciding`, which `always` left at once: both are marked.
  assert.equal(marked(), ['loading→deciding done loader', 'deciding→working always']);
  actor.send({ type: 'NEXT' });
  assert.equal(marked(), ['working.one→working.two NEXT']);
  // A compound state's own transition, taken from its child `two`: marked from `working`.
  actor.send({ type: 'RESET' });
  assert.equal(marked(), ['working→waiting RESET']);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(marked(), ['loading→deciding done loader', 'deciding→failed always']);
  const history = store.history(store.actors()[0]!.sessionId)!;
  assert.ok(history.some((entry) => entry.transition && entry.value === 'loading'), 'the after transition is a step of its own');
});

test('ELK lays every state and edge out, nested states inside their parent, initial states marked', async () => {
  const layout = await layoutChart(chartOf(definitionOf(messageMachine)));
  const parent = layout.states.find((state) => state.id === 'in_progress')!;
  const child = layout.states.find((state) => state.id === 'in_progress.text')!;
  assert.ok(child.x >= parent.x && child.y >= parent.y && child.x + child.width <= parent.x + parent.width && child.y + child.height <= parent.y + parent.height, 'the child is inside its parent');
  for (const edge of layout.edges) assert.ok(edge.points.length >= 2, edge.id);
  assert.equal(layout.initials.map((initial) => initial.target).sort(), ['in_progress.none', 'new']);
  assert.ok(layout.states.some((state) => state.kind === 'machine'));
});

test('legibility: the run and stream charts draw few crossing edge pairs, and fit a panel whole', async () => {
  const run = await layoutChart(chartOf(definitionOf(runMachine)));
  const stream = await layoutChart(chartOf(definitionOf(assistantStreamMachine)));
  const runCrossings = crossingPairs(run);
  const streamCrossings = crossingPairs(stream);
  // dagre drew the run chart with 39 edges and 87 crossing pairs; the goal is 25 at most.
  assert.ok(runCrossings <= 25, `${runCrossings} crossing pairs on the run chart`);
  assert.ok(streamCrossings <= 5, `${streamCrossings} crossing pairs on the stream chart`);
  // Its five open statuses share their five exits: one edge each from the box around them.
  assert.ok(run.states.some((state) => state.kind === 'group'));
  assert.ok(run.edges.length <= 20, `${run.edges.length} edges`);
  const fitted = Math.min(600 / run.width, 400 / run.height);
  assert.is(shareInside(run, 600, 400, fitted), 1);
  console.log(`legibility: run chart ${run.edges.length} edges, ${runCrossings} crossing pairs, ${Math.round(run.width)}×${Math.round(run.height)}; stream chart ${stream.edges.length} edges, ${streamCrossings} crossing pairs`);
});

test.run();
