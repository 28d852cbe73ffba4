/**
 * The library's own charts, laid out when the inspector's UI is built
 * (scripts/build-inspector-ui.mjs writes them as `chart-layouts.json`): opening a session then
 * costs the page no layout for them — ELK's worker took 0.6–0.9 s of a core to load elkjs and
 * lay out the run chart after every open, just when the page and its first scrubs wanted both
 * cores (docs/design.md, "The inspector").
 */
import { StateMachine } from 'xstate';
import * as machines from '../machines/index.ts';
import { definitionJson } from './observer.ts';
import { chartOf, type Chart } from './ui/chart.ts';
import { chartKey, type KnownLayoutsFile } from './ui/knownLayouts.ts';
import { layoutChart } from './ui/layout.ts';

/**
 * Every statechart `assistant-machines/machines` exports (the stream, run, step, message, tool
 * call, poll and assistant-run charts), by export name. Actors run them as `provide`d copies,
 * which keep the config, so their definitions read as these charts.
 *
 * @example `Object.keys(libraryMachines()) // ['assistantRunMachine', 'assistantStreamMachine', …]`
 */
export function libraryMachines(): Record<string, { config: object }> {
  const found: Record<string, { config: object }> = {};
  for (const [name, value] of Object.entries(machines)) if (value instanceof StateMachine) found[name] = value as { config: object };
  return found;
}

/**
 * The library's charts as the page reads them: each machine's definition as the observer sends
 * it, read by `chartOf`.
 *
 * @example `libraryCharts().map((chart) => chart.machineId) // ['assistantRun', 'assistantStream', …]`
 */
export function libraryCharts(): Chart[] {
  return Object.values(libraryMachines()).map((machine) => chartOf(JSON.parse(definitionJson(machine.config))));
}

/**
 * Lays out each of the library's charts as the page would (`layoutChart`, with ELK in this
 * process), keyed as the page looks them up.
 *
 * @example `writeFileSync('chart-layouts.json', JSON.stringify(await libraryChartLayouts()));`
 */
export async function libraryChartLayouts(): Promise<KnownLayoutsFile> {
  const layouts: KnownLayoutsFile['layouts'] = [];
  for (const chart of libraryCharts()) layouts.push({ chart: chartKey(chart), layout: await layoutChart(chart) });
  return { version: 1, layouts };
}
