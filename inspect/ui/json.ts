import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

/** Characters of a string shown before "more". */
const STRING_PREVIEW = 400;
/** Entries of an object or array shown before "more". */
const ENTRY_PREVIEW = 100;

/**
 * A collapsible JSON view: objects and arrays open on click and render their children only
 * then, so a huge value costs nothing until it is opened; long strings show their head.
 */
export function JsonView({ value, name, open = false }: { value: unknown; name?: string | undefined; open?: boolean }) {
  const [expanded, setExpanded] = useState(open);
  const [all, setAll] = useState(false);
  const label = name === undefined ? null : html`<span class="json-key">${name}: </span>`;
  if (value === null || typeof value !== 'object') return html`<div class="json-row">${label}<${Scalar} value=${value} /></div>`;
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  const shown = all ? entries : entries.slice(0, ENTRY_PREVIEW);
  return html`<div class="json-node">
    <button class="json-toggle" aria-expanded=${expanded} onClick=${() => setExpanded(!expanded)}>${expanded ? '▾' : '▸'}</button>${label}<span class="json-summary">${summary}</span>
    ${expanded &&
    html`<div class="json-children">
      ${shown.map(([key, child]) => html`<${JsonView} key=${key} name=${key} value=${child} />`)}
      ${!all && entries.length > ENTRY_PREVIEW && html`<button class="json-more" onClick=${() => setAll(true)}>${entries.length - ENTRY_PREVIEW} more</button>`}
    </div>`}
  </div>`;
}

function Scalar({ value }: { value: unknown }) {
  const [all, setAll] = useState(false);
  if (typeof value === 'string') {
    const text = all || value.length <= STRING_PREVIEW ? value : `${value.slice(0, STRING_PREVIEW)}…`;
    return html`<span class="json-string">${JSON.stringify(text)}</span>${!all && value.length > STRING_PREVIEW && html` <button class="json-more" onClick=${() => setAll(true)}>${value.length - STRING_PREVIEW} more characters</button>`}`;
  }
  return html`<span class=${`json-${value === null ? 'null' : typeof value}`}>${String(value)}</span>`;
}
