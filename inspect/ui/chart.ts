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
}

/** One transition between states (self-transitions included; targetless ones left out: they change no state). */
export interface ChartTransition {
  id: string;
  source: string;
  target: string;
  /** The event type, `always`, `after 5000`, `done`, `error`. */
  event: string;
  guard: string | undefined;
}

/** A machine's states and transitions. */
export interface Chart {
  machineId: string;
  states: ChartState[];
  transitions: ChartTransition[];
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
      states.push({ id: path, key: path.split('.').at(-1)!, parent, kind, initial });
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
  for (const [path, config] of configs) {
    if (path === '') continue;
    const add = (event: string, spec: unknown) => {
      for (const candidate of Array.isArray(spec) ? spec : [spec]) {
        const { targets, guard } = readTransition(candidate);
        for (const target of targets) {
          const resolved = resolveTarget(target, path, explicitIds);
          if (resolved === undefined || !known.has(resolved)) continue;
          transitions.push({ id: `t${transitions.length}`, source: path, target: resolved, event, guard });
        }
      }
    };
    if (isObject(config['on'])) for (const [event, spec] of Object.entries(config['on'])) add(event, spec);
    if (config['always'] !== undefined) add('always', config['always']);
    if (isObject(config['after'])) for (const [delay, spec] of Object.entries(config['after'])) add(`after ${delay}`, spec);
    if (config['onDone'] !== undefined) add('done', config['onDone']);
    const invokes = Array.isArray(config['invoke']) ? config['invoke'] : config['invoke'] === undefined ? [] : [config['invoke']];
    for (const invoke of invokes) {
      if (!isObject(invoke)) continue;
      const name = typeof invoke['id'] === 'string' ? invoke['id'] : typeof invoke['src'] === 'string' ? invoke['src'] : 'invoke';
      if (invoke['onDone'] !== undefined) add(`done ${name}`, invoke['onDone']);
      if (invoke['onError'] !== undefined) add(`error ${name}`, invoke['onError']);
    }
  }
  return { machineId, states, transitions };
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

/**
 * The transition an actor just took, as the diagram marks it: the one for `event` from a
 * state active before to a state active after (the deepest such pair).
 *
 * @example `lastTransitionOf(chart, { from: 'queued', to: 'in_progress', event: 'thread.run.in_progress' })`
 */
export function lastTransitionOf(chart: Chart, last: { from: unknown; to: unknown; event: string } | undefined): ChartTransition | undefined {
  if (last === undefined) return undefined;
  const before = new Set(activePaths(last.from));
  const after = new Set(activePaths(last.to));
  const candidates = chart.transitions.filter((transition) => transition.event === last.event && before.has(transition.source) && after.has(transition.target));
  return candidates.sort((a, b) => b.source.length + b.target.length - (a.source.length + a.target.length))[0];
}

function readTransition(spec: unknown): { targets: string[]; guard: string | undefined } {
  if (typeof spec === 'string') return { targets: [spec], guard: undefined };
  if (!isObject(spec)) return { targets: [], guard: undefined };
  const target = spec['target'];
  const targets = typeof target === 'string' ? [target] : Array.isArray(target) ? target.filter((item): item is string => typeof item === 'string') : [];
  const guard = spec['guard'];
  const guardName = typeof guard === 'string' ? guard : isObject(guard) && typeof guard['type'] === 'string' ? guard['type'] : undefined;
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
  if (target.startsWith('.')) return `${source}${target}`;
  const parent = source.includes('.') ? source.slice(0, source.lastIndexOf('.')) : '';
  return parent === '' ? target : `${parent}.${target}`;
}

function isObject(value: unknown): value is Config {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
