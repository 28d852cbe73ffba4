import { html } from 'htm/preact';
import type { ActorStateView } from './api.ts';

/**
 * A state value as one line: `in_progress.text`; parallel regions joined by a comma.
 *
 * @example `formatValue({ in_progress: 'streaming' }) // 'in_progress.streaming'`
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return value === undefined ? '—' : String(value);
  return Object.entries(value)
    .map(([key, child]) => {
      const inner = formatValue(child);
      return inner === '' || (typeof child === 'object' && child !== null && Object.keys(child).length === 0) ? key : `${key}.${inner}`;
    })
    .join(', ');
}

/** The text a message actor holds so far: its text blocks, joined. */
export function messageText(actor: ActorStateView): string | undefined {
  if (actor.name !== 'message') return undefined;
  const content = (actor.context as { message?: { content?: unknown } } | undefined)?.message?.content;
  if (!Array.isArray(content)) return undefined;
  return content
    .map((block: { type?: unknown; text?: { value?: unknown } }) => (block?.type === 'text' && typeof block.text?.value === 'string' ? block.text.value : ''))
    .join('\n');
}

/** Characters of a message shown in the tree: the newest ones, as they stream. */
const TEXT_TAIL = 600;

function tail(text: string): string {
  return text.length <= TEXT_TAIL ? text : `…${text.slice(-TEXT_TAIL)}`;
}

interface TreeNode {
  actor: ActorStateView;
  children: TreeNode[];
}

function buildForest(actors: readonly ActorStateView[]): TreeNode[] {
  const nodes = new Map(actors.map((actor) => [actor.sessionId, { actor, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.actor.parentId === undefined ? undefined : nodes.get(node.actor.parentId);
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
  }
  return roots;
}

/** The actor tree: each session's root, its children nested, each with its state and status. */
export function ActorTree({ actors, selected, onSelect }: { actors: readonly ActorStateView[]; selected: string | undefined; onSelect: (sessionId: string) => void }) {
  const forest = buildForest(actors);
  const row = (node: TreeNode, depth: number): unknown => {
    const { actor } = node;
    const subject = actor.actorId.startsWith(`${actor.name}:`) ? actor.actorId.slice(actor.name.length + 1) : actor.actorId === actor.name ? '' : actor.actorId;
    const text = messageText(actor);
    return html`<li key=${actor.sessionId}>
      <button
        class=${`actor${selected === actor.sessionId ? ' selected' : ''}`}
        style=${`padding-left:${8 + depth * 14}px`}
        data-session-id=${actor.sessionId}
        data-actor-name=${actor.name}
        data-actor-id=${actor.actorId}
        data-value=${formatValue(actor.value)}
        data-status=${actor.status}
        onClick=${() => onSelect(actor.sessionId)}
      >
        <span class="actor-name">${actor.name}</span>
        <span class="actor-subject" title=${actor.actorId}>${subject}</span>
        <span class="actor-value">${formatValue(actor.value)}</span>
        <span class=${`status status-${actor.status}`}>${actor.status}</span>
      </button>
      ${text !== undefined && text !== '' && html`<div class="message-text" style=${`margin-left:${22 + depth * 14}px`} data-message-text=${actor.sessionId}>${tail(text)}</div>`}
      ${node.children.length > 0 && html`<ul>${node.children.map((child) => row(child, depth + 1))}</ul>`}
    </li>`;
  };
  if (actors.length === 0) return html`<p class="empty">No actors yet. Pass <code>inspect</code> to a stream, or send frames to the WebSocket URL.</p>`;
  return html`<ul class="tree">${forest.map((node) => row(node, 0))}</ul>`;
}
