// The library's charts laid out when the UI is built (chart-layouts.json): every chart the
// library's actors register is among them, a chart that differs in anything is not (the page
// lays that one out with ELK), and the inspector serves the file, or an empty one for a UI
// built without it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createActor, toPromise } from 'xstate';
import { libraryChartLayouts, libraryCharts, libraryMachines } from '../inspect/chartLayouts.ts';
import { createFrameObserver, createInspector } from '../inspect/index.ts';
import { definitionJson } from '../inspect/observer.ts';
import { chartOf } from '../inspect/ui/chart.ts';
import { chartKey, readKnownLayouts } from '../inspect/ui/knownLayouts.ts';
import { layoutChart } from '../inspect/ui/layout.ts';
import { runMachine } from '../machines/index.ts';
import { createAssistantRun } from '../src/index.ts';
import { clientOf, WEATHER_AND_TIME } from './helpers/assistantRun.ts';
import { startTestServer } from './helpers/server.ts';

const test = suite('inspect-known-layouts');

test('the build lays out every chart the machines entry exports', () => {
  assert.equal(Object.keys(libraryMachines()).sort(), ['assistantRunMachine', 'assistantStreamMachine', 'messageMachine', 'pollMachine', 'runMachine', 'runStepMachine', 'toolCallMachine']);
  assert.equal(libraryCharts().map((chart) => chart.machineId).sort(), ['assistantRun', 'assistantStream', 'message', 'poll', 'run', 'runStep', 'toolCall']);
});

test('every chart the library\'s actors register (an assistantRun with function tools, a poll) is one of them', async () => {
  const ts = await startTestServer();
  try {
    const definitions = new Map<string, string>();
    const inspect = createFrameObserver((frame) => {
      if (frame.type === '@xstate.actor' && frame.definition !== undefined) definitions.set(frame.name ?? '', frame.definition);
    });
    const assistant = await ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME });
    const thread = await ts.openai.beta.threads.create();
    const tools = { get_weather: async () => 'sunny', get_time: async () => 'noon' };
    const actor = createActor(createAssistantRun({ client: clientOf(ts.server.url), tools, inspect }), {
      input: { threadId: thread.id, assistantId: assistant.id, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }] },
      inspect,
    });
    actor.start();
    assert.is((await toPromise(actor)).run.status, 'completed');
    await clientOf(ts.server.url).beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, { pollIntervalMs: 5, inspect });

    assert.equal([...definitions.keys()].sort(), ['assistantRun', 'assistantStream', 'message', 'poll', 'run', 'runStep', 'toolCall']);
    const known = new Set(libraryCharts().map(chartKey));
    for (const [name, definition] of definitions) assert.ok(known.has(chartKey(chartOf(JSON.parse(definition)))), `${name}'s chart is laid out by the build`);
  } finally {
    await ts.close();
  }
});

test('a chart that differs in one guard is not taken for the library\'s (the page lays it out itself)', () => {
  const definition = JSON.parse(definitionJson(runMachine.config)) as { states: { unseen: { on: Record<string, Array<{ guard?: unknown }>> } } };
  const known = new Set(libraryCharts().map(chartKey));
  assert.ok(known.has(chartKey(chartOf(definition))));
  const created = definition.states.unseen.on['thread.run.created']!;
  created[0]!.guard = 'someOtherGuard';
  assert.not.ok(known.has(chartKey(chartOf(definition))));
});

test('the file holds ELK\'s layout of each chart; anything else reads as no layouts', async () => {
  const file = await libraryChartLayouts();
  const known = readKnownLayouts(JSON.parse(JSON.stringify(file)));
  assert.is(known.size, 7);
  const runChart = chartOf(JSON.parse(definitionJson(runMachine.config)));
  assert.equal(known.get(chartKey(runChart)), JSON.parse(JSON.stringify(await layoutChart(runChart))));
  for (const junk of [undefined, null, 'text', { version: 2, layouts: file.layouts }, { version: 1, layouts: 'x' }, { version: 1, layouts: [{ chart: 1, layout: {} }] }]) assert.is(readKnownLayouts(junk).size, 0, JSON.stringify(junk)?.slice(0, 40));
});

test('the inspector serves chart-layouts.json from its UI, and no layouts for a UI built without them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'known-layouts-'));
  const inspector = await createInspector({ uiDir: dir, log: () => {} });
  try {
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const url = new URL(inspector.url);
    const get = () => fetch(`${url.origin}/chart-layouts.json?token=${url.searchParams.get('token')}`);
    const missing = await get();
    assert.is(missing.status, 200);
    assert.equal(await missing.json(), { version: 1, layouts: [] });
    writeFileSync(join(dir, 'chart-layouts.json'), JSON.stringify({ version: 1, layouts: [{ chart: '{}', layout: { states: [] } }] }));
    const served = await get();
    assert.match(served.headers.get('content-type') ?? '', 'application/json');
    assert.is(readKnownLayouts(await served.json()).size, 1);
  } finally {
    await inspector.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
