// Two tenants on one server (or on two servers sharing PostgreSQL): what tenant A creates,
// and every route tenant B might aim at A's objects, each probed with A's ids and with ids
// nobody created — the two answers must be the same.

/** A request to a server's `/v1` with a tenant's key: `(path, init) => Response`. */
export type TenantRequest = (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;

/** `fetch` to `baseURL` (ending in /v1) as the key `key`, with the headers the SDK sends. */
export function tenantRequest(baseURL: string, key: string): TenantRequest {
  return (path, init = {}) =>
    fetch(`${baseURL}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'openai-beta': 'assistants=v2', ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
}

/** The ids of everything one tenant created: an object of each kind. */
export interface TenantObjects {
  assistant: string;
  thread: string;
  message: string;
  run: string;
  step: string;
  file: string;
  vectorStore: string;
  batch: string;
  response: string;
  conversation: string;
  item: string;
}

async function json<T>(response: Promise<Response>): Promise<T> {
  const answered = await response;
  if (!answered.ok) throw new Error(`${answered.status} ${await answered.text()}`);
  return (await answered.json()) as T;
}

async function upload(baseURL: string, key: string, name: string, text: string): Promise<string> {
  const form = new FormData();
  form.append('purpose', 'assistants');
  form.append('file', new File([text], name));
  const response = await fetch(`${baseURL}/files`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  return ((await response.json()) as { id: string }).id;
}

/** Creates one object of each kind as the tenant of `key`; `secret` is the text of its file. */
export async function seedTenant(baseURL: string, key: string, secret: string): Promise<TenantObjects> {
  const request = tenantRequest(baseURL, key);
  const file = await upload(baseURL, key, 'secret.md', secret);
  const vectorStore = (await json<{ id: string }>(request('/vector_stores', { method: 'POST', body: { name: 'docs', file_ids: [file] } }))).id;
  const batch = (await json<{ id: string }>(request(`/vector_stores/${vectorStore}/file_batches`, { method: 'POST', body: { file_ids: [file] } }))).id;
  const assistant = (await json<{ id: string }>(request('/assistants', { method: 'POST', body: { model: 'scripted', tools: [{ type: 'file_search' }] } }))).id;
  const created = await json<{ id: string; thread_id: string }>(
    request('/threads/runs', { method: 'POST', body: { assistant_id: assistant, thread: { messages: [{ role: 'user', content: 'Say hello.' }] } } }),
  );
  let status = '';
  for (let tries = 0; tries < 500 && status !== 'completed'; tries += 1) {
    status = (await json<{ status: string }>(request(`/threads/${created.thread_id}/runs/${created.id}`))).status;
    if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const message = (await json<{ data: Array<{ id: string }> }>(request(`/threads/${created.thread_id}/messages`))).data[0]!.id;
  const step = (await json<{ data: Array<{ id: string }> }>(request(`/threads/${created.thread_id}/runs/${created.id}/steps`))).data[0]!.id;
  const response = (await json<{ id: string }>(request('/responses', { method: 'POST', body: { model: 'scripted', input: 'Hello' } }))).id;
  const conversation = (await json<{ id: string }>(request('/conversations', { method: 'POST', body: { items: [{ type: 'message', role: 'user', content: secret }] } }))).id;
  const item = (await json<{ data: Array<{ id: string }> }>(request(`/conversations/${conversation}/items`))).data[0]!.id;
  return { assistant, thread: created.thread_id, message, run: created.id, step, file, vectorStore, batch, response, conversation, item };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id of the same prefix and length that nobody created. */
export function unknownLike(id: string): string {
  const prefix = /^[a-z]+[_-]/.exec(id)?.[0] ?? '';
  let rest = '';
  for (let index = prefix.length; index < id.length; index += 1) rest += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return prefix + rest;
}

/** The same objects' ids, each replaced by an id nobody created. */
export function unknownObjects(objects: TenantObjects): TenantObjects {
  return Object.fromEntries(Object.entries(objects).map(([kind, id]) => [kind, unknownLike(id)])) as unknown as TenantObjects;
}

/** One way to aim at another tenant's object: a route, with B's own objects where the route needs some. */
export interface Probe {
  name: string;
  method: string;
  path: (target: TenantObjects) => string;
  body?: (target: TenantObjects) => unknown;
}

/**
 * Every route of the API that takes an id, aimed at `target`'s objects; where a route also
 * needs an object of the caller's (`own`), it gets one, so only the target's id can fail.
 */
export function probes(own: TenantObjects): Probe[] {
  const get = (name: string, path: (t: TenantObjects) => string): Probe => ({ name, method: 'GET', path });
  const post = (name: string, path: (t: TenantObjects) => string, body: (t: TenantObjects) => unknown = () => ({})): Probe => ({ name, method: 'POST', path, body });
  const del = (name: string, path: (t: TenantObjects) => string): Probe => ({ name, method: 'DELETE', path });
  return [
    get('retrieve assistant', (t) => `/assistants/${t.assistant}`),
    post('modify assistant', (t) => `/assistants/${t.assistant}`, () => ({ name: 'taken' })),
    post('create assistant with their vector store', () => '/assistants', (t) => ({ model: 'scripted', tool_resources: { file_search: { vector_store_ids: [t.vectorStore] } } })),
    post('create assistant with their file', () => '/assistants', (t) => ({ model: 'scripted', tool_resources: { code_interpreter: { file_ids: [t.file] } } })),
    get('retrieve thread', (t) => `/threads/${t.thread}`),
    post('modify thread', (t) => `/threads/${t.thread}`, () => ({ metadata: { taken: 'yes' } })),
    post('create thread with their vector store', () => '/threads', (t) => ({ tool_resources: { file_search: { vector_store_ids: [t.vectorStore] } } })),
    post('create thread with their file attached', () => '/threads', (t) => ({ messages: [{ role: 'user', content: 'Read it.', attachments: [{ file_id: t.file, tools: [{ type: 'file_search' }] }] }] })),
    post('create thread with their file as an image', () => '/threads', (t) => ({ messages: [{ role: 'user', content: [{ type: 'image_file', image_file: { file_id: t.file } }] }] })),
    post('create message', (t) => `/threads/${t.thread}/messages`, () => ({ role: 'user', content: 'Hi' })),
    post('create message in own thread with their file attached', () => `/threads/${own.thread}/messages`, (t) => ({ role: 'user', content: 'Read it.', attachments: [{ file_id: t.file, tools: [{ type: 'code_interpreter' }] }] })),
    get('list messages', (t) => `/threads/${t.thread}/messages`),
    get('retrieve message', (t) => `/threads/${t.thread}/messages/${t.message}`),
    post('modify message', (t) => `/threads/${t.thread}/messages/${t.message}`, () => ({ metadata: {} })),
    post('create run', (t) => `/threads/${t.thread}/runs`, () => ({ assistant_id: own.assistant })),
    post('create run with their assistant', () => `/threads/${own.thread}/runs`, (t) => ({ assistant_id: t.assistant })),
    post('create and run with their assistant', () => '/threads/runs', (t) => ({ assistant_id: t.assistant, stream: true })),
    get('list runs', (t) => `/threads/${t.thread}/runs`),
    get('retrieve run', (t) => `/threads/${t.thread}/runs/${t.run}`),
    post('modify run', (t) => `/threads/${t.thread}/runs/${t.run}`, () => ({ metadata: {} })),
    post('cancel run', (t) => `/threads/${t.thread}/runs/${t.run}/cancel`),
    post('submit tool outputs', (t) => `/threads/${t.thread}/runs/${t.run}/submit_tool_outputs`, () => ({ tool_outputs: [] })),
    get('run events', (t) => `/threads/${t.thread}/runs/${t.run}/events`),
    get('list run steps', (t) => `/threads/${t.thread}/runs/${t.run}/steps`),
    get('retrieve run step', (t) => `/threads/${t.thread}/runs/${t.run}/steps/${t.step}`),
    get('retrieve file', (t) => `/files/${t.file}`),
    get('file content', (t) => `/files/${t.file}/content`),
    get('list files after theirs', (t) => `/files?after=${t.file}`),
    get('list assistants after theirs', (t) => `/assistants?after=${t.assistant}`),
    get('retrieve vector store', (t) => `/vector_stores/${t.vectorStore}`),
    post('modify vector store', (t) => `/vector_stores/${t.vectorStore}`, () => ({ name: 'taken' })),
    post('create vector store with their file', () => '/vector_stores', (t) => ({ file_ids: [t.file] })),
    post('search vector store', (t) => `/vector_stores/${t.vectorStore}/search`, () => ({ query: 'secret' })),
    post('add own file to their vector store', (t) => `/vector_stores/${t.vectorStore}/files`, () => ({ file_id: own.file })),
    post('add their file to own vector store', () => `/vector_stores/${own.vectorStore}/files`, (t) => ({ file_id: t.file })),
    get('list vector store files', (t) => `/vector_stores/${t.vectorStore}/files`),
    get('retrieve vector store file', (t) => `/vector_stores/${t.vectorStore}/files/${t.file}`),
    post('update vector store file', (t) => `/vector_stores/${t.vectorStore}/files/${t.file}`, () => ({ attributes: {} })),
    get('vector store file content', (t) => `/vector_stores/${t.vectorStore}/files/${t.file}/content`),
    post('create file batch', (t) => `/vector_stores/${t.vectorStore}/file_batches`, () => ({ file_ids: [own.file] })),
    post('create file batch of their file', () => `/vector_stores/${own.vectorStore}/file_batches`, (t) => ({ file_ids: [t.file] })),
    get('retrieve file batch', (t) => `/vector_stores/${t.vectorStore}/file_batches/${t.batch}`),
    post('cancel file batch', (t) => `/vector_stores/${t.vectorStore}/file_batches/${t.batch}/cancel`),
    get('list batch files', (t) => `/vector_stores/${t.vectorStore}/file_batches/${t.batch}/files`),
    get('retrieve response', (t) => `/responses/${t.response}`),
    get('replay response stream', (t) => `/responses/${t.response}?stream=true`),
    post('cancel response', (t) => `/responses/${t.response}/cancel`),
    get('response input items', (t) => `/responses/${t.response}/input_items`),
    post('continue their response', () => '/responses', (t) => ({ model: 'scripted', input: 'More', previous_response_id: t.response })),
    post('search their vector store from a response', () => '/responses', (t) => ({ model: 'scripted', input: 'secret', tools: [{ type: 'file_search', vector_store_ids: [t.vectorStore] }] })),
    get('retrieve conversation', (t) => `/conversations/${t.conversation}`),
    post('modify conversation', (t) => `/conversations/${t.conversation}`, () => ({ metadata: { taken: 'yes' } })),
    get('list conversation items', (t) => `/conversations/${t.conversation}/items`),
    get('retrieve conversation item', (t) => `/conversations/${t.conversation}/items/${t.item}`),
    post('add conversation items', (t) => `/conversations/${t.conversation}/items`, () => ({ items: [{ type: 'message', role: 'user', content: 'Hi' }] })),
    post('respond in their conversation', () => '/responses', (t) => ({ model: 'scripted', input: 'What did I say?', conversation: t.conversation })),
    get('list threads after theirs', (t) => `/threads?after=${t.thread}`),
    // Last: deletions (they would remove what the probes above aim at, were isolation broken).
    del('delete conversation item', (t) => `/conversations/${t.conversation}/items/${t.item}`),
    del('delete conversation', (t) => `/conversations/${t.conversation}`),
    del('delete message', (t) => `/threads/${t.thread}/messages/${t.message}`),
    del('delete vector store file', (t) => `/vector_stores/${t.vectorStore}/files/${t.file}`),
    del('delete vector store', (t) => `/vector_stores/${t.vectorStore}`),
    del('delete file', (t) => `/files/${t.file}`),
    del('delete thread', (t) => `/threads/${t.thread}`),
    del('delete assistant', (t) => `/assistants/${t.assistant}`),
  ];
}

/** An answer with every id of `objects` replaced by its kind: two answers compare equal when only the ids differ. */
export async function normalized(response: Response, objects: TenantObjects): Promise<{ status: number; body: string; contentType: string | null }> {
  let body = await response.text();
  for (const [kind, id] of Object.entries(objects)) body = body.split(id).join(`<${kind}>`);
  return { status: response.status, body, contentType: response.headers.get('content-type') };
}

/** Sends `probe` aimed at `target` through `request`. */
export function send(request: TenantRequest, probe: Probe, target: TenantObjects): Promise<Response> {
  return request(probe.path(target), { method: probe.method, ...(probe.body === undefined ? {} : { body: probe.body(target) }) });
}
