import { html } from 'htm/preact';
import type { SessionTiming } from './api.ts';

/**
 * A duration as people read it: `850 ms`, `1.25 s`, `2 min 5 s`.
 *
 * @example `formatDuration(1250) // '1.25 s'`
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A time of day with milliseconds: `14:03:07.125` (UTC, as the events' clocks give it). */
export function formatClock(time: number): string {
  return new Date(time).toISOString().slice(11, 23);
}

/**
 * A session's timing: when it started, how long it took, the time to its first token, each
 * run, step, message and tool call with its duration, and the run's token usage as such.
 */
export function Timing({ timing }: { timing: SessionTiming | undefined }) {
  if (timing === undefined) return html`<p class="empty">Select an actor to see its session's timing.</p>`;
  const { firstTime, lastTime, firstTokenMs, usage } = timing;
  const steps = timing.actors.filter((actor) => actor.name !== 'source');
  return html`<div class="timing" data-session=${timing.rootId}>
    <dl class="timing-summary">
      <dt>started</dt><dd>${firstTime === undefined ? '—' : formatClock(firstTime)}</dd>
      <dt>took</dt><dd id="timing-duration">${firstTime === undefined || lastTime === undefined ? '—' : formatDuration(lastTime - firstTime)}</dd>
      <dt>first token</dt><dd id="timing-first-token">${firstTokenMs === undefined ? '—' : formatDuration(firstTokenMs)}</dd>
      <dt>events</dt><dd>${timing.events.toLocaleString('en')}</dd>
      ${usage !== undefined &&
      html`<dt>tokens</dt><dd id="timing-usage" data-total=${usage.total_tokens ?? ''}>${usage.prompt_tokens ?? '?'} prompt + ${usage.completion_tokens ?? '?'} completion = <strong>${usage.total_tokens ?? '?'}</strong></dd>`}
    </dl>
    <table class="timing-table">
      <thead><tr><th>actor</th><th>start</th><th>took</th></tr></thead>
      <tbody>
        ${steps.map(
          (actor) => html`<tr key=${actor.sessionId} data-actor-id=${actor.actorId}>
            <td title=${actor.actorId}>${actor.actorId}</td>
            <td>${firstTime === undefined ? '' : `+${formatDuration(actor.startedAt - firstTime)}`}</td>
            <td class="took">${actor.endedAt === undefined ? 'running' : formatDuration(actor.endedAt - actor.startedAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
