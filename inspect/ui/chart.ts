/**
 * A statechart's shape read from the definition an actor registered (its machine's config as
 * JSON, as `@statelyai/inspect` sends it): states with their nesting, and the transitions
 * that change state. Pure: the UI lays it out; tests read it in Node.
 */

/** One state; `id` is its path from the machine (`in_progress.text`). */
export interface ChartState {
  id: string;
  key: string;
  parent: string | undefined;
  kind: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The path of its initial child, for compound states. */
  initial: string | undefined;
  /** For history states: `shallow` or `deep`. */
  history?: 'shallow' | 'deep' | undefined;
  /** Events it handles without leaving (targetless transitions), each with its guards: drawn inside its box. */
  handles: EdgeLabel[];
}

/** What makes a transition go. */
export type TransitionKind = 'event' | 'always' | 'after' | 'done' | 'error' | 'state-done';

/** One transition between states (self-transitions included; targetless ones left out: they change no state). */
export interface ChartTransition {
  id: string;
  source: string;
  target: string;
  /** As drawn: the event type, `always`, `after 5000`, `done load`, `error load`, `done`. */
  event: string;
  kind: TransitionKind;
  /** For `after`: the delay (ms, or its name); for invoke `done`/`error`: the invoke's id or src. */
  detail: string | undefined;
  guard: string | undefined;
}

/** A machine's states and transitions. */
export interface Chart {
  machineId: string;
  /** The machine's own initial state (a top-level path). */
  initial: string | undefined;
  states: ChartState[];
  transitions: ChartTransition[];
}

/** One line of an edge's label: an event and the guards of the transitions it stands for. */
export interface EdgeLabel {
  event: string;
  guards: string[];
  transitions: string[];
}

/**
 * The transitions between one source and one target, drawn as one edge: parallel transitions
 * (the same event under different guards, or other events) merged, one label line per event.
 */
export interface ChartEdge {
  id: string;
  source: string;
  target: string;
  labels: EdgeLabel[];
}

type Config = Record<string, unknown>;

/**
 * Reads a machine config (as JSON) into its states and transitions; a definition it cannot
 * read gives an empty chart, never a throw.
 *
 * @example `chartOf({ id: 'light', initial: 'green', states: { green: { on: { TIMER: 'yellow' } }, yellow: {} } })`
 */
export function chartOf(definition: unknown): Chart {
  const root = isObject(definition) ? definition : {};
  const machineId = typeof root['id'] === 'string' ? root['id'] : '(machine)';
  const states: ChartState[] = [];
  const explicitIds = new Map<string, string>([[machineId, '']]);
  const walk = (config: Config, path: string, parent: string | undefined) => {
    const children = isObject(config['states']) ? Object.entries(config['states']).filter(([, child]) => isObject(child)) : [];
    if (path !== '') {
      const type = config['type'];
      const kind = type === 'final' || type === 'history' || type === 'parallel' ? type : children.length > 0 ? 'compound' : 'atomic';
      const initial = typeof config['initial'] === 'string' ? `${path}.${config['initial']}` : undefined;
      const state: ChartState = { id: path, key: path.split('.').at(-1)!, parent, kind, initial, handles: [] };
      if (kind === 'history') state.history = config['history'] === 'deep' ? 'deep' : 'shallow';
      states.push(state);
    }
    if (typeof config['id'] === 'string' && path !== '') explicitIds.set(config['id'], path);
    for (const [key, child] of children) walk(child as Config, path === '' ? key : `${path}.${key}`, path === '' ? undefined : path);
  };
  walk(root, '', undefined);
  const known = new Set(states.map((state) => state.id));
  const transitions: ChartTransition[] = [];
  const configs = new Map<string, Config>();
  const collect = (config: Config, path: string) => {
    configs.set(path, config);
    if (isObject(config['states'])) for (const [key, child] of Object.entries(config['states'])) if (isObject(child)) collect(child, path === '' ? key : `${path}.${key}`);
  };
  collect(root, '');
  const byId = new Map(states.map((state) => [state.id, state]));
  for (const [path, config] of configs) {
    // The machine's own transitions (path '') leave whatever state it is in: drawn from its box.
    const add = (event: string, kind: TransitionKind, detail: string | undefined, spec: unknown) => {
      const candidates = Array.isArray(spec) ? spec : [spec];
      for (const [index, candidate] of candidates.entries()) {
        const read = readTransition(candidate);
        // An unguarded candidate after guarded ones is taken only when they all fail.
        const guard = read.guard ?? (index > 0 && candidates.slice(0, index).some((before) => readTransition(before).guard !== undefined) ? 'else' : undefined);
        if (read.targets.length === 0) {
          const state = byId.get(path);
          if (state !== undefined && kind === 'event') addHandled(state, event, guard);
          continue;
        }
        for (const target of read.targets) {
          const resolved = resolveTarget(target, path, explicitIds);
          if (resolved === undefined || !known.has(resolved)) continue;
          transitions.push({ id: `t${transitions.length}`, source: path, target: resolved, event, kind, detail, guard });
        }
      }
    };
    if (isObject(config['on'])) for (const [event, spec] of Object.entries(config['on'])) add(event, 'event', undefined, spec);
    if (config['always'] !== undefined) add('always', 'always', undefined, config['always']);
    if (isObject(config['after'])) for (const [delay, spec] of Object.entries(config['after'])) add(`after ${formatDelay(delay)}`, 'after', delay, spec);
    if (config['onDone'] !== undefined) add('done', 'state-done', undefined, config['onDone']);
    const invokes = Array.isArray(config['invoke']) ? config['invoke'] : config['invoke'] === undefined ? [] : [config['invoke']];
    for (const invoke of invokes) {
      if (!isObject(invoke)) continue;
      const name = typeof invoke['id'] === 'string' ? invoke['id'] : typeof invoke['src'] === 'string' ? invoke['src'] : undefined;
      if (invoke['onDone'] !== undefined) add(`done ${name ?? 'invoke'}`, 'done', name, invoke['onDone']);
      if (invoke['onError'] !== undefined) add(`error ${name ?? 'invoke'}`, 'error', name, invoke['onError']);
    }
  }
  const initial = typeof root['initial'] === 'string' && known.has(root['initial']) ? root['initial'] : undefined;
  return { machineId, initial, states, transitions };
}

/**
 * The chart's edges: every source–target pair once, its transitions merged into label lines
 * (one per event, its guards listed), in the order they were defined.
 *
 * @example `edgesOf(chart).find((edge) => edge.source === 'unseen' && edge.target === 'queued')!.labels`
 */
export function edgesOf(chart: Chart): ChartEdge[] {
  const edges = new Map<string, ChartEdge>();
  for (const transition of chart.transitions) {
    const key = `${transition.source}\u0000${transition.target}`;
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { id: `e${edges.size}`, source: transition.source, target: transition.target, labels: [] };
      edges.set(key, edge);
    }
    let label = edge.labels.find((candidate) => candidate.event === transition.event);
    if (label === undefined) {
      label = { event: transition.event, guards: [], transitions: [] };
      edge.labels.push(label);
    }
    if (transition.guard !== undefined && !label.guards.includes(transition.guard)) label.guards.push(transition.guard);
    label.transitions.push(transition.id);
  }
  return [...edges.values()];
}

/**
 * A label line as drawn: `thread.run.created [createdQueued | tolerant]`; with the chart's
 * common event prefix (`thread.run.`) left out: `…created [createdQueued | tolerant]`.
 *
 * @example `labelText({ event: 'GO', guards: ['ready'], transitions: [] }) // 'GO [ready]'`
 */
export function labelText(label: EdgeLabel, prefix = ''): string {
  const event = prefix !== '' && label.event.startsWith(prefix) ? `…${label.event.slice(prefix.length)}` : label.event;
  return label.guards.length === 0 ? event : `${event} [${label.guards.join(' | ')}]`;
}

/**
 * The prefix most of a chart's events share (`thread.run.` for the run chart), when it is long
 * enough to be worth leaving out of every label (the machine's box names it once), else `''`.
 *
 * @example `commonEventPrefix(chartOf(runDefinition)) // 'thread.run.'`
 */
export function commonEventPrefix(chart: Chart): string {
  const events = chart.transitions.filter((transition) => transition.kind === 'event').map((transition) => transition.event);
  if (events.length < 4) return '';
  const counts = new Map<string, number>();
  for (const event of new Set(events)) {
    const parts = event.split('.');
    for (let length = 1; length < parts.length; length++) {
      const prefix = `${parts.slice(0, length).join('.')}.`;
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
  }
  const distinct = new Set(events).size;
  // The longest prefix that at least 60% of the distinct events share, 6 characters at least.
  const best = [...counts].filter(([prefix, count]) => count >= 0.6 * distinct && prefix.length >= 6).sort((a, b) => b[0].length - a[0].length)[0];
  return best?.[0] ?? '';
}

/**
 * The paths of the states active in a state value: `{ in_progress: 'text' }` →
 * `['in_progress', 'in_progress.text']`.
 *
 * @example `activePaths({ in_progress: 'streaming' }) // ['in_progress', 'in_progress.streaming']`
 */
export function activePaths(value: unknown, prefix = ''): string[] {
  const join = (key: string) => (prefix === '' ? key : `${prefix}.${key}`);
  if (typeof value === 'string') return [join(value)];
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [join(key), ...activePaths(child, join(key))]);
}

/** The last transition as the inspector reports it (`lastTransition` of an actor). */
export interface LastTransitionLike {
  from: unknown;
  to: unknown;
  event: string;
  transitions?: ReadonlyArray<{ source: string; targets: readonly string[]; eventType: string }> | undefined;
}

/**
 * The transitions an actor just took, as the diagram marks them. When the sender reported them
 * (our observer does, from XState's microsteps) they are exactly those, from the state the
 * actor was in: events, `after`, `always`, invoke done/error, a state's done, through transient
 * states. Otherwise (`@statelyai/inspect`) they are found from the values before and after and
 * the event: the deepest transition for it, or one for it into a state left at once by `always`.
 *
 * @example `takenTransitions(chart, { from: 'queued', to: 'in_progress', event: 'thread.run.in_progress' })`
 */
export function takenTransitions(chart: Chart, last: LastTransitionLike | undefined): ChartTransition[] {
  if (last === undefined) return [];
  if (last.transitions !== undefined && last.transitions.length > 0) {
    const taken: ChartTransition[] = [];
    for (const step of last.transitions) {
      for (const transition of chart.transitions) {
        if (transition.source === step.source && step.targets.includes(transition.target) && describes(transition, step.eventType) && !taken.includes(transition)) taken.push(transition);
      }
    }
    return taken;
  }
  const before = new Set(activePaths(last.from));
  const after = new Set(activePaths(last.to));
  const direct = chart.transitions.filter((transition) => causedBy(transition, last.event) && before.has(transition.source) && after.has(transition.target));
  if (direct.length > 0) return [direct.sort((a, b) => b.source.length + b.target.length - (a.source.length + a.target.length))[0]!];
  // Through a transient state: the event into a state that `always` left at once.
  for (const first of chart.transitions) {
    if (!causedBy(first, last.event) || !before.has(first.source) || after.has(first.target)) continue;
    const second = chart.transitions.find((transition) => transition.kind === 'always' && transition.source === first.target && after.has(transition.target));
    if (second !== undefined) return [first, second];
  }
  return [];
}

// Whether a chart transition is the one XState names by `eventType` (a transition's descriptor).
function describes(transition: ChartTransition, eventType: string): boolean {
  switch (transition.kind) {
    case 'event':
      return transition.event === eventType;
    case 'always':
      return eventType === '';
    case 'after':
      return eventType.startsWith(`xstate.after.${transition.detail}.`);
    case 'done':
      // An invoke without an explicit id gets a generated one: any invoke's done from this
      // state to this target is this transition (two invokes of one state rarely share a target).
      return eventType.startsWith('xstate.done.actor.');
    case 'error':
      return eventType.startsWith('xstate.error.actor.');
    case 'state-done':
      return eventType.startsWith('xstate.done.state.');
  }
}

// Whether an event of type `type` makes a transition of this kind go (no descriptor known).
function causedBy(transition: ChartTransition, type: string): boolean {
  switch (transition.kind) {
    case 'event':
      return transition.event === type || (transition.event.endsWith('.*') && type.startsWith(transition.event.slice(0, -1))) || transition.event === '*';
    case 'always':
      return false;
    case 'after':
      return type.startsWith(`xstate.after.${transition.detail}.`);
    case 'done':
      return type.startsWith('xstate.done.actor.');
    case 'error':
      return type.startsWith('xstate.error.actor.');
    case 'state-done':
      return type.startsWith('xstate.done.state.');
  }
}

function addHandled(state: ChartState, event: string, guard: string | undefined): void {
  let label = state.handles.find((candidate) => candidate.event === event);
  if (label === undefined) {
    label = { event, guards: [], transitions: [] };
    state.handles.push(label);
  }
  if (guard !== undefined && !label.guards.includes(guard)) label.guards.push(guard);
}

function formatDelay(delay: string): string {
  if (!/^\d+$/.test(delay)) return delay;
  const ms = Number(delay);
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function readTransition(spec: unknown): { targets: string[]; guard: string | undefined } {
  if (typeof spec === 'string') return { targets: [spec], guard: undefined };
  if (!isObject(spec)) return { targets: [], guard: undefined };
  const target = spec['target'];
  const targets = typeof target === 'string' ? [target] : Array.isArray(target) ? target.filter((item): item is string => typeof item === 'string') : [];
  const guard = spec['guard'];
  const guardName = typeof guard === 'string' ? guard : isObject(guard) && typeof guard['type'] === 'string' ? guard['type'] : guard === undefined ? undefined : 'guarded';
  return { targets, guard: guardName };
}

// XState's target syntax: `#id.path`, `.child` (of the source), else a sibling of the source.
function resolveTarget(target: string, source: string, explicitIds: ReadonlyMap<string, string>): string | undefined {
  if (target.startsWith('#')) {
    const [id = '', ...rest] = target.slice(1).split('.');
    const base = explicitIds.get(id);
    if (base === undefined) return undefined;
    return [base, ...rest].filter((part) => part !== '').join('.');
  }
  if (target.startsWith('.')) return source === '' ? target.slice(1) : `${source}${target}`;
  const parent = source.includes('.') ? source.slice(0, source.lastIndexOf('.')) : '';
  return parent === '' ? target : `${parent}.${target}`;
}

function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
