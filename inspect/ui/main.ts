/**
 * The inspector's page: the actor tree, the selected actor's statechart and context, the
 * event log with its lanes, and a scrubber over the whole history. Every view shows the state
 * as of the scrubbed event (`/api/state?at=`), live at the newest one unless scrubbed back.
 */
import { html } from 'htm/preact';
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fetchEvents, fetchState, getJson, listen, type ActorView, type Cursor, type EventView, type StateAt } from './api.ts';
import { Diagram } from './diagram.ts';
import { JsonView } from './json.ts';
import { EventLog, type LogFilter } from './log.ts';
import { ActorTree, formatValue, messageText } from './tree.ts';

function App() {
  const [cursor, setCursor] = useState<Cursor>({ firstSeq: 0, nextSeq: 0, rejections: 0 });
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
  // Every actor ever seen, for the log's lanes and names (events after `at` name actors too).
  const [everyone, setEveryone] = useState<ActorView[]>([]);
  const newest = cursor.nextSeq - 1;
  const at = live ? newest : Math.max(cursor.firstSeq, Math.min(position, newest));

  useEffect(() => listen(setCursor, setConnected), []);

  // One request for the state at a time; a newer wish waits for it and then goes.
  const inFlight = useRef(false);
  const wanted = useRef(at);
  wanted.current = at;
  const load = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    const target = wanted.current;
    Promise.all([fetchState(target), getJson<ActorView[]>('/api/actors')])
      .then(([next, all]) => {
        setState(next);
        setEveryone(all);
      }, () => {})
      .finally(() => {
        inFlight.current = false;
        if (wanted.current !== target) load();
      });
  }, []);
  useEffect(load, [at, cursor.nextSeq]);

  const actors = state?.actors ?? [];
  // Until the user picks one, follow the newest run (the actor most people came to watch).
  const selectedActor = actors.find((actor) => actor.sessionId === selected) ?? [...actors].reverse().find((actor) => actor.name === 'run') ?? actors[0];
  const filter: LogFilter = { actor: onlySelected ? selectedActor?.sessionId : undefined, type: typeFilter };
  const filtered = filter.actor !== undefined || filter.type !== '';
  useEffect(() => {
    if (!filtered) return;
    void fetchEvents({ offset: 0, limit: 0, actor: filter.actor, type: filter.type }).then((page) => setFilteredTotal(page.total), () => {});
  }, [filter.actor, filter.type, cursor.nextSeq]);

  const definitionKey = selectedActor?.definition;
  useEffect(() => {
    if (definitionKey === undefined || definitions.has(definitionKey)) return;
    void getJson<unknown>(`/api/definitions/${encodeURIComponent(definitionKey)}`).then((definition) => setDefinitions((map) => new Map(map).set(definitionKey, definition)), () => {});
  }, [definitionKey]);

  const step = useCallback(
    (delta: number) => {
      setLive(false);
      setPosition(Math.max(cursor.firstSeq, Math.min(at + delta, newest)));
    },
    [at, cursor.firstSeq, newest],
  );
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.tagName === 'INPUT' && (target as HTMLInputElement).type !== 'range') return;
      if (target?.tagName === 'INPUT' && (event.key === 'ArrowLeft' || event.key === 'ArrowRight')) return; // the range steps itself
      if (event.key === 'ArrowLeft' || event.key === 'k') step(-1);
      else if (event.key === 'ArrowRight' || event.key === 'j') step(1);
      else if (event.key === 'Home') {
        setLive(false);
        setPosition(cursor.firstSeq);
      } else if (event.key === 'End') setLive(true);
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [step, cursor.firstSeq]);

  const lanes = useMemo(() => new Map(everyone.map((actor, index) => [actor.sessionId, index])), [everyone]);
  const names = useMemo(() => new Map(everyone.map((actor) => [actor.sessionId, actor.actorId])), [everyone]);
  const total = filtered ? filteredTotal : Math.max(0, cursor.nextSeq - cursor.firstSeq);
  const text = selectedActor === undefined ? undefined : messageText(selectedActor);

  return html`<div class="app">
    <header>
      <h1>assistant-machines inspector</h1>
      <span class=${`connection ${connected ? 'up' : 'down'}`} id="connection">${connected ? 'live' : 'reconnecting…'}</span>
      <span class="counts">${actors.length} actors · ${cursor.nextSeq.toLocaleString('en')} events${cursor.rejections > 0 ? ` · ${cursor.rejections} frames rejected` : ''}</span>
    </header>
    <main>
      <section class="panel tree-panel" aria-label="actors">
        <h2>Actors</h2>
        <${ActorTree} actors=${actors} selected=${selectedActor?.sessionId} onSelect=${setSelected} />
      </section>
      <section class="panel chart-panel" aria-label="statechart">
        <h2>
          ${selectedActor === undefined ? 'Statechart' : html`<span id="selected-actor" data-actor-id=${selectedActor.actorId} data-value=${formatValue(selectedActor.value)}>${selectedActor.actorId}</span> <span class="actor-value">${formatValue(selectedActor.value)}</span> <span class=${`status status-${selectedActor.status}`}>${selectedActor.status}</span>`}
        </h2>
        <div class="diagram-box"><${Diagram} actor=${selectedActor} definition=${definitionKey === undefined ? undefined : definitions.get(definitionKey)} /></div>
        ${selectedActor?.lastTransition !== undefined &&
        html`<p class="last-transition">last transition: ${formatValue(selectedActor.lastTransition.from)} → ${formatValue(selectedActor.lastTransition.to)} on <code>${selectedActor.lastTransition.event}</code> (event ${selectedActor.lastTransition.seq})</p>`}
        ${text !== undefined && html`<div class="message-text big">${text}</div>`}
        <h3>Context</h3>
        <div class="json-box" key=${`${selectedActor?.sessionId}`}><${JsonView} value=${selectedActor?.context} open=${true} /></div>
      </section>
      <section class="panel log-panel" aria-label="events">
        <h2>Events</h2>
        <div class="filters">
          <label><input type="checkbox" id="filter-actor" checked=${onlySelected} onChange=${(e: Event) => setOnlySelected((e.currentTarget as HTMLInputElement).checked)} /> only ${selectedActor?.actorId ?? 'the selected actor'}</label>
          <input type="text" id="filter-type" placeholder="event type contains…" value=${typeFilter} onInput=${(e: Event) => setTypeFilter((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <${EventLog} filter=${filter} total=${total} version=${cursor.nextSeq} at=${at} firstSeq=${cursor.firstSeq} lanes=${lanes} names=${names} follow=${live} onPick=${(event: EventView) => {
          setPicked(event);
          setLive(false);
          setPosition(event.seq);
        }} />
        <div class="json-box event-detail">${picked === undefined ? html`<p class="empty">Click an event to see it.</p>` : html`<${JsonView} key=${picked.seq} name=${`#${picked.seq} ${picked.type}`} value=${picked.payload} open=${true} />`}</div>
      </section>
    </main>
    <footer>
      <button id="step-back" title="one event back (←)" onClick=${() => step(-1)}>◀</button>
      <input type="range" id="scrubber" aria-label="time travel" min=${cursor.firstSeq} max=${Math.max(cursor.firstSeq, newest)} value=${at} onInput=${(e: Event) => {
        setLive(false);
        setPosition(Number((e.currentTarget as HTMLInputElement).value));
      }} />
      <button id="step-forward" title="one event forward (→)" onClick=${() => step(1)}>▶</button>
      <button id="go-live" class=${live ? 'on' : ''} title="follow the newest event (End)" onClick=${() => setLive(true)}>live</button>
      <span id="position" data-at=${at}>event ${at < 0 ? '—' : at.toLocaleString('en')} of ${newest < 0 ? '—' : newest.toLocaleString('en')}</span>
    </footer>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app')!);
