/**
 * The inspector's page: named sessions and their actors, the selected actor's statechart with
 * its context and its session's timing, the event log (or the sequence view) with what each
 * event changed, and a scrubber over the whole history. Every view shows the state as of the
 * scrubbed event (`/api/state?at=`), following the newest one unless scrubbed back.
 */
import ElkApi, { type ELK } from 'elkjs/lib/elk-api.js';
import { html } from 'htm/preact';
import { render } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  fetchEvents,
  fetchHistory,
  fetchProblems,
  fetchSessions,
  fetchState,
  fetchTiming,
  getJson,
  importSession,
  listen,
  withToken,
  type ActorView,
  type Cursor,
  type EventView,
  type HistoryView,
  type RejectionView,
  type SessionTiming,
  type SessionView,
  type StateAt,
  type WarningView,
} from './api.ts';
import { EventDetail } from './details.ts';
import { Diagram, setKnownLayouts } from './diagram.ts';
import { JsonView } from './json.ts';
import { readKnownLayouts } from './knownLayouts.ts';
import { setElkFactory } from './layout.ts';
import { EventLog, type LogFilter, type LogMode } from './log.ts';
import { Timing } from './timing.ts';
import { ActorTree, formatValue, messageText, treeRows } from './tree.ts';

function App() {
  const [cursor, setCursor] = useState<Cursor>({ firstSeq: 0, nextSeq: 0, rejections: 0, warnings: 0, actors: 0 });
  const [connected, setConnected] = useState(false);
  const [live, setLive] = useState(true);
  const [position, setPosition] = useState(0);
  const [state, setState] = useState<StateAt | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [definitions, setDefinitions] = useState(new Map<string, unknown>());
  const [onlySelected, setOnlySelected] = useState(false);
  const [typeFilter, setTypeFilter] = useState('');
  const [filteredTotal, setFilteredTotal] = useState(0);
  const [picked, setPicked] = useState<EventView | undefined>(undefined);
  const [mode, setMode] = useState<LogMode>('log');
  const [tab, setTab] = useState<'context' | 'timing'>('context');
  const [timing, setTiming] = useState<SessionTiming | undefined>(undefined);
  const [history, setHistory] = useState<HistoryView[]>([]);
  const [problems, setProblems] = useState<[WarningView[], RejectionView[]]>([[], []]);
  const [showProblems, setShowProblems] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [dropping, setDropping] = useState(false);
  // Every actor ever seen, for the log's lanes and names (events after `at` name actors too).
  const [everyone, setEveryone] = useState<ActorView[]>([]);
  const [sessions, setSessions] = useState<SessionView[]>([]);
  const newest = cursor.nextSeq - 1;
  const at = live ? newest : Math.max(cursor.firstSeq, Math.min(position, newest));

  // The first thing the inspector says is where the history stands: nothing is asked before
  // it (asked at once, the state, actors and sessions were asked twice at the start, the first
  // time for nothing). A socket that does not open soon does not keep the page empty.
  const [heard, setHeard] = useState(false);
  useEffect(
    () =>
      listen((next) => {
        setCursor(next);
        setHeard(true);
      }, setConnected),
    [],
  );
  useEffect(() => {
    const timer = setTimeout(() => setHeard(true), 1500);
    return () => clearTimeout(timer);
  }, []);

  // One request for the state at a time; a newer wish waits for it and then goes.
  const inFlight = useRef(false);
  const wanted = useRef<number | undefined>(undefined);
  wanted.current = live ? undefined : at;
  const load = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    const target = wanted.current;
    fetchState(target)
      .then(setState, () => {})
      .finally(() => {
        inFlight.current = false;
        if (wanted.current !== target) load();
      });
  }, []);
  // Asked as the render that moved the scrubber is committed, not after its frame is painted.
  useLayoutEffect(() => {
    if (heard) load();
  }, [at, cursor.nextSeq, live, heard]);
  // Every actor and session (for lanes, names and session titles) change only when actors come
  // (or go): neither a scrub nor a delta asks for them again. The inspector serves the page
  // from the process it watches, so each request per change costs the stream (bench:inspector).
  useEffect(() => {
    if (!heard) return;
    let current = true;
    void Promise.all([getJson<ActorView[]>('/api/actors'), fetchSessions()]).then(([all, named]) => {
      if (!current) return;
      setEveryone(all);
      setSessions(named);
    }, () => {});
    return () => {
      current = false;
    };
  }, [cursor.actors, cursor.firstSeq, heard]);

  useEffect(() => {
    if (cursor.rejections + cursor.warnings === 0) return;
    void fetchProblems().then(setProblems, () => {});
  }, [cursor.rejections, cursor.warnings]);

  const actors = state?.actors ?? [];
  // Until the user picks one, follow the newest run (the actor most people came to watch).
  const selectedActor = actors.find((actor) => actor.sessionId === selected) ?? [...actors].reverse().find((actor) => actor.name === 'run') ?? actors[0];
  const filter: LogFilter = { actor: onlySelected ? selectedActor?.sessionId : undefined, type: typeFilter };
  const filtered = filter.actor !== undefined || filter.type !== '';
  useEffect(() => {
    if (!filtered) return;
    let current = true;
    void fetchEvents({ offset: 0, limit: 0, actor: filter.actor, type: filter.type }).then(
      (page) => current && setFilteredTotal(page.total),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [filter.actor, filter.type, cursor.nextSeq]);

  const definitionKey = selectedActor?.definition;
  useEffect(() => {
    if (definitionKey === undefined || definitions.has(definitionKey)) return;
    void getJson<unknown>(`/api/definitions/${encodeURIComponent(definitionKey)}`).then((definition) => setDefinitions((map) => new Map(map).set(definitionKey, definition)), () => {});
  }, [definitionKey]);

  // The selected actor's history (for "next transition"), and its session's timing.
  const selectedId = selectedActor?.sessionId;
  const rootId = selectedActor?.rootId;
  // The history is the actor's whole history, not as of the scrubbed event: asked when another
  // actor is selected, and when the actor shows a transition the history asked for does not hold
  // (it took one since: followed live, or scrubbed onto) — not for every event, nor for a scrub
  // within it (each request costs the stream the inspector watches, and a render).
  const lastTransitionSeq = selectedActor?.lastTransition?.seq;
  const historyLacks = lastTransitionSeq !== undefined && lastTransitionSeq > (history.at(-1)?.seq ?? -1);
  // Whose history `history` is (asked for): the effect runs again when the history it asked for
  // arrives (historyLacks turns false), and that must not ask again.
  const historyOf = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (selectedId === undefined) {
      historyOf.current = undefined;
      return setHistory([]);
    }
    if (historyOf.current === selectedId && !historyLacks) return;
    historyOf.current = selectedId;
    void fetchHistory(selectedId).then(setHistory, () => setHistory([]));
  }, [selectedId, historyLacks ? lastTransitionSeq : undefined]);
  useEffect(() => {
    if (rootId === undefined || tab !== 'timing') return;
    void fetchTiming(rootId).then(setTiming, () => setTiming(undefined));
  }, [rootId, tab, cursor.nextSeq]);

  const goTo = useCallback(
    async (seq: number) => {
      setLive(false);
      setPosition(seq);
      const event = await getJson<EventView>(`/api/event?seq=${seq}`).catch(() => undefined);
      setPicked(event);
    },
    [],
  );
  const step = useCallback(
    (delta: number) => {
      const target = Math.max(cursor.firstSeq, Math.min(at + delta, newest));
      void goTo(target);
    },
    [at, cursor.firstSeq, newest, goTo],
  );
  const transitions = history.filter((entry) => entry.transition);
  const nextTransition = transitions.find((entry) => entry.seq > at);
  const previousTransition = [...transitions].reverse().find((entry) => entry.seq < at);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range') return;
      if (target?.tagName === 'INPUT' && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) return; // the range steps itself
      if (event.key === 'ArrowLeft' || event.key === 'k') step(-1);
      else if (event.key === 'ArrowRight' || event.key === 'j') step(1);
      else if (event.key === 'n' && nextTransition !== undefined) void goTo(nextTransition.seq);
      else if (event.key === 'p' && previousTransition !== undefined) void goTo(previousTransition.seq);
      else if (event.key === 'Home') void goTo(cursor.firstSeq);
      else if (event.key === 'End') setLive(true);
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [step, goTo, cursor.firstSeq, nextTransition?.seq, previousTransition?.seq]);

  // One lane per actor, the selected actor's session first (its lanes are the ones in view).
  const lanes = useMemo(() => {
    const ordered = treeRows(everyone, sessions, new Set()).flatMap((row) => (row.kind === 'actor' ? [row.actor as ActorView] : []));
    return [...ordered.filter((actor) => actor.rootId === rootId), ...ordered.filter((actor) => actor.rootId !== rootId)];
  }, [everyone, sessions, rootId]);
  const names = useMemo(() => new Map(everyone.map((actor) => [actor.sessionId, actor.actorId])), [everyone]);
  const total = filtered ? filteredTotal : Math.max(0, cursor.nextSeq - cursor.firstSeq);
  const text = selectedActor === undefined ? undefined : messageText(selectedActor);
  const [warnings, rejections] = problems;

  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) await openFile(file);
  };
  const openFile = async (file: File) => {
    setNotice(`opening ${file.name}…`);
    try {
      const { sessions: count, events } = await importSession(file);
      setNotice(`opened ${file.name}: ${count} session${count === 1 ? '' : 's'}, ${events.toLocaleString('en')} events`);
    } catch (error) {
      setNotice(`could not open ${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return html`<div
    class=${`app${dropping ? ' dropping' : ''}`}
    onDragOver=${(event: DragEvent) => {
      event.preventDefault();
      setDropping(true);
    }}
    onDragLeave=${() => setDropping(false)}
    onDrop=${onDrop}
  >
    <svg width="0" height="0" style="position:absolute"><defs><marker id="seq-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="seq-head" /></marker></defs></svg>
    <header>
      <h1>assistant-machines inspector</h1>
      <span class=${`connection ${connected ? 'up' : 'down'}`} id="connection" title="the page's connection to the inspector">${connected ? 'connected' : 'reconnecting…'}</span>
      <span class="counts">${sessions.length} session${sessions.length === 1 ? '' : 's'} · ${everyone.length} actors · ${cursor.nextSeq.toLocaleString('en')} events</span>
      ${cursor.rejections + cursor.warnings > 0 &&
      html`<button id="problems" class="problems-button" onClick=${() => setShowProblems(!showProblems)}>⚠ ${cursor.warnings > 0 ? `${cursor.warnings} not shown whole` : ''}${cursor.warnings > 0 && cursor.rejections > 0 ? ' · ' : ''}${cursor.rejections > 0 ? `${cursor.rejections} frames rejected` : ''}</button>`}
      <span class="spacer"></span>
      ${notice !== undefined && html`<span id="notice" class="notice">${notice}</span>`}
      <label class="open-file" title="open an exported session (or drop it on the page)">open…<input type="file" id="open-file" accept=".ndjson,.jsonl,application/x-ndjson" onChange=${(event: Event) => {
        const file = (event.currentTarget as HTMLInputElement).files?.[0];
        if (file !== undefined) void openFile(file);
      }} /></label>
      <a class="export-all" href=${withToken('/api/export')} download="inspector-session.ndjson" title="export every session to a file">export</a>
    </header>
    ${warnings.length > 0 && html`<div id="warnings" class="warnings">${warnings.map((warning) => html`<p key=${warning.kind} data-kind=${warning.kind}>⚠ ${warning.message}</p>`)}</div>`}
    ${showProblems &&
    html`<div id="problems-panel" class="problems-panel">
      <h2>Frames refused (${cursor.rejections})</h2>
      ${rejections.length === 0 ? html`<p class="empty">none</p>` : html`<ul>${rejections.slice(-50).reverse().map((rejection, index) => html`<li key=${index} data-kind=${rejection.kind}><code>${rejection.origin}</code> ${rejection.kind}: ${rejection.message}</li>`)}</ul>`}
    </div>`}
    <main>
      <section class="panel tree-panel" aria-label="actors">
        <h2>Sessions</h2>
        <${ActorTree} actors=${actors} sessions=${sessions} selected=${selectedActor?.sessionId} onSelect=${setSelected} />
      </section>
      <section class="panel chart-panel" aria-label="statechart">
        <h2 class="chart-heading">
          ${selectedActor === undefined ? 'Statechart' : html`<span id="selected-actor" data-actor-id=${selectedActor.actorId} data-value=${formatValue(selectedActor.value)} title=${selectedActor.sessionId}>${selectedActor.actorId}</span> <span class="actor-value">${formatValue(selectedActor.value)}</span> <span class=${`status status-${selectedActor.status}`}>${selectedActor.status}</span>`}
        </h2>
        <${Diagram} actor=${selectedActor} definition=${definitionKey === undefined ? undefined : definitions.get(definitionKey)} />
        ${selectedActor?.lastTransition !== undefined &&
        html`<p class="last-transition">last transition: ${formatValue(selectedActor.lastTransition.from)} → ${formatValue(selectedActor.lastTransition.to)} on <code>${selectedActor.lastTransition.event || '(always)'}</code> (<a href="#" onClick=${(event: Event) => {
          event.preventDefault();
          void goTo(selectedActor.lastTransition!.seq);
        }}>event ${selectedActor.lastTransition.seq}</a>)</p>`}
        <div class="tabs">
          <button class=${tab === 'context' ? 'on' : ''} id="tab-context" onClick=${() => setTab('context')}>Context</button>
          <button class=${tab === 'timing' ? 'on' : ''} id="tab-timing" onClick=${() => setTab('timing')}>Timing & usage</button>
        </div>
        <div class="tab-body">
          ${tab === 'context'
            ? html`${text !== undefined && html`<div class="message-text big">${text}</div>`}
                <div class="json-box" key=${`${selectedActor?.sessionId}`}>
                  ${selectedActor?.contextSeq !== undefined && selectedActor.contextSeq !== at && html`<p class="dim context-note">context as of event ${selectedActor.contextSeq} (contexts are sampled while the state stays)</p>`}
                  <${JsonView} value=${selectedActor?.context} open=${true} />
                </div>`
            : html`<${Timing} timing=${timing?.rootId === rootId ? timing : undefined} />`}
        </div>
      </section>
      <section class="panel log-panel" aria-label="events">
        <h2>
          Events
          <span class="mode-switch">
            <button id="mode-log" class=${mode === 'log' ? 'on' : ''} onClick=${() => setMode('log')}>log</button>
            <button id="mode-sequence" class=${mode === 'sequence' ? 'on' : ''} onClick=${() => setMode('sequence')}>sequence</button>
          </span>
        </h2>
        <div class="filters">
          <label><input type="checkbox" id="filter-actor" checked=${onlySelected} onChange=${(e: Event) => setOnlySelected((e.currentTarget as HTMLInputElement).checked)} /> only ${selectedActor?.actorId ?? 'the selected actor'}</label>
          <input type="text" id="filter-type" placeholder="event type contains…" value=${typeFilter} onInput=${(e: Event) => setTypeFilter((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <${EventLog} filter=${filter} total=${total} version=${cursor.nextSeq} at=${at} firstSeq=${cursor.firstSeq} lanes=${lanes} names=${names} follow=${live} mode=${mode} onPick=${(event: EventView) => {
          setPicked(event);
          setLive(false);
          setPosition(event.seq);
        }} />
        <div class="event-detail">
          <${EventDetail} event=${picked} names=${names} />
        </div>
      </section>
    </main>
    <footer>
      <button id="step-back" title="one event back (←)" onClick=${() => step(-1)}>◀</button>
      <input type="range" id="scrubber" aria-label="time travel" min=${cursor.firstSeq} max=${Math.max(cursor.firstSeq, newest)} value=${at} onInput=${(e: Event) => {
        setLive(false);
        setPosition(Number((e.currentTarget as HTMLInputElement).value));
      }} />
      <button id="step-forward" title="one event forward (→)" onClick=${() => step(1)}>▶</button>
      <button id="prev-transition" title="the selected actor's previous transition (p)" disabled=${previousTransition === undefined} onClick=${() => previousTransition !== undefined && void goTo(previousTransition.seq)}>⇤ transition</button>
      <button id="next-transition" title="the selected actor's next transition (n)" disabled=${nextTransition === undefined} onClick=${() => nextTransition !== undefined && void goTo(nextTransition.seq)}>transition ⇥</button>
      <form class="goto" onSubmit=${(event: Event) => {
        event.preventDefault();
        const input = (event.currentTarget as HTMLFormElement).elements.namedItem('goto') as HTMLInputElement;
        const seq = Number(input.value);
        if (Number.isSafeInteger(seq)) void goTo(Math.max(cursor.firstSeq, Math.min(seq, newest)));
      }}><input type="number" id="goto" name="goto" min=${cursor.firstSeq} max=${Math.max(0, newest)} placeholder="go to event…" /></form>
      <button id="go-live" class=${live ? 'on' : ''} title="follow the newest event (End)" onClick=${() => setLive(true)}>${live ? 'following' : 'follow'}</button>
      <span id="position" data-at=${at} data-following=${live ? 'true' : 'false'}>event ${at < 0 ? '—' : at.toLocaleString('en')} of ${newest < 0 ? '—' : newest.toLocaleString('en')}</span>
    </footer>
  </div>`;
}

// Charts are laid out in a Web Worker: ELK takes a few hundred milliseconds on a big chart, and
// the page stays responsive meanwhile (measured: the tree of a 1,000,000-event session showed
// 0.4 s later when ELK ran on the page's thread).
// elkjs is CommonJS: its constructor is the module itself, or its default.
const ElkWorker = ((ElkApi as unknown as { default?: unknown }).default ?? ElkApi) as unknown as new (options: { workerUrl: string }) => ELK;
setElkFactory(() => new ElkWorker({ workerUrl: withToken('/elk-worker.js') }));
// The library's own charts come laid out with the page: ELK's worker is started only for others.
setKnownLayouts(getJson<unknown>('/chart-layouts.json').then(readKnownLayouts, () => new Map()));
render(html`<${App} />`, document.getElementById('app')!);
