import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { fetchDiff, type EventDiff, type EventView, type ValueChange } from './api.ts';
import { JsonView } from './json.ts';
import { formatClock } from './timing.ts';
import { formatValue } from './tree.ts';

/**
 * One event, picked in the log or stepped to: when it came, what it carried, and what it changed
 * on the actor it reached (its state value before and after, the keys of its context that
 * changed, a string that grew shown as what it grew by).
 */
export function EventDetail({ event, names }: { event: EventView | undefined; names: ReadonlyMap<string, string> }) {
  const [diff, setDiff] = useState<EventDiff | undefined>(undefined);
  useEffect(() => {
    setDiff(undefined);
    if (event === undefined) return;
    let current = true;
    void fetchDiff(event.seq).then(
      (answer) => current && setDiff(answer),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [event?.seq]);
  if (event === undefined) return html`<p class="empty">Click an event (or step to one) to see it and what it changed.</p>`;
  return html`<div class="event-detail-body" data-seq=${event.seq}>
    <p class="event-heading"><strong>#${event.seq} ${event.type}</strong> <span class="dim">at ${formatClock(event.time)} → ${names.get(event.sessionId) ?? event.sessionId}${event.sourceId === undefined ? '' : ` from ${names.get(event.sourceId) ?? event.sourceId}`}</span></p>
    <${DiffView} diff=${diff} />
    <details open>
      <summary>payload</summary>
      <${JsonView} key=${event.seq} value=${event.payload} open=${true} />
    </details>
  </div>`;
}

function DiffView({ diff }: { diff: EventDiff | undefined }) {
  if (diff === undefined) return html`<div class="diff pending">…</div>`;
  const { value, status, context } = diff;
  const note = context.exact
    ? 'this event only'
    : context.beforeSeq === undefined && context.afterSeq === undefined
      ? 'no context kept'
      : `contexts are sampled: the changes from event ${context.beforeSeq ?? '(start)'} to ${context.afterSeq ?? '(now)'}`;
  return html`<div class="diff" data-exact=${context.exact ? 'true' : 'false'}>
    <p class="diff-state">${value.changed ? html`state <code>${formatValue(value.before)}</code> → <code class="changed">${formatValue(value.after)}</code>` : html`state stays <code>${formatValue(value.after)}</code>`}${status.before !== status.after ? html`, status ${status.before} → <strong>${status.after}</strong>` : ''}</p>
    <p class="diff-note dim">context changes (${note}):${context.changes.length === 0 ? ' none' : ''}</p>
    ${context.changes.length > 0 && html`<ul class="diff-list">${context.changes.map((change) => html`<li key=${change.path} class=${`diff-${change.kind}`}>${changeLine(change)}</li>`)}</ul>`}
    ${context.more > 0 && html`<p class="dim">… and ${context.more} more changes</p>`}
  </div>`;
}

function changeLine(change: ValueChange) {
  const show = (value: unknown) => {
    const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'undefined';
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  };
  switch (change.kind) {
    case 'added':
      return html`<code>${change.path}</code> added: <span class="json-string">${show(change.after)}</span>`;
    case 'removed':
      return html`<code>${change.path}</code> removed (was ${show(change.before)})`;
    case 'appended':
      return html`<code>${change.path}</code> grew by ${change.grew} characters: <span class="json-string">${show(change.after)}</span>`;
    case 'changed':
      return html`<code>${change.path}</code>: ${show(change.before)} → <span class="json-string">${show(change.after)}</span>`;
  }
}
