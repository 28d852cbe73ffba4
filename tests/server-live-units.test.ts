import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { liveModelOptions, describeLiveModel } from '../src/cli/serveModel.ts';
import { citeSearches, fileSearchOutput, fileSearchQuery } from '../src/server/model/fileSearchFunction.ts';
import { errorCode, streamErrorCode, Upstream } from '../src/server/model/upstream.ts';
import type { FileSearchToolCall } from '../src/wire/index.ts';

// The pieces of a live model that decide something on their own: citations, error codes,
// redaction, and the serve flags.

const search: FileSearchToolCall = {
  id: 'call_1',
  type: 'file_search',
  file_search: {
    results: [
      { file_id: 'file_a', file_name: 'policy.txt', score: 0.9, content: [{ type: 'text', text: 'Refunds take five days.' }] },
      { file_id: 'file_b', file_name: 'faq】\nnotes.txt', score: 0.5, content: [{ type: 'text', text: 'Ask support.' }] },
    ],
  },
};

test('fileSearchOutput: each passage after its marker; a marker never breaks on the file name', () => {
  assert.is(fileSearchOutput(search, 2), '【2:0†policy.txt】 Refunds take five days.\n\n【2:1†faq  notes.txt】 Ask support.');
  assert.is(fileSearchOutput({ ...search, file_search: { results: [] } }, 0), 'No passage of the attached files matches this query.');
});

test('citeSearches: markers the model wrote cite their files, at their place in the text', () => {
  const text = 'Five days 【0:0†policy.txt】, or ask 【0:1†x】. Not 【3:0†gone】.';
  const { suffix, annotations } = citeSearches(text, [search]);
  assert.is(suffix, '');
  assert.equal(
    annotations.map((annotation) => [annotation.file_citation.file_id, text.slice(annotation.start_index, annotation.end_index)]),
    [
      ['file_a', '【0:0†policy.txt】'],
      ['file_b', '【0:1†x】'],
    ],
  );
});

test('citeSearches: an answer that wrote no marker gets the best passage\'s, appended after a space', () => {
  const { suffix, annotations } = citeSearches('Five days.', [search]);
  assert.is(suffix, ' 【0:0†policy.txt】');
  const whole = `Five days.${suffix}`;
  assert.is(whole.slice(annotations[0]!.start_index, annotations[0]!.end_index), '【0:0†policy.txt】');
  assert.equal(citeSearches('Nothing found.', [{ ...search, file_search: { results: [] } }]), { suffix: '', annotations: [] });
});

test('fileSearchQuery: the query of the arguments, else the raw text', () => {
  assert.is(fileSearchQuery('{"query":"refunds"}'), 'refunds');
  assert.is(fileSearchQuery('refunds please'), 'refunds please');
  assert.is(fileSearchQuery('{"q":1}'), '{"q":1}');
});

test('errorCode and streamErrorCode: the three last_error codes the Assistants API knows', () => {
  assert.equal([429, 400, 404, 413, 422, 401, 403, 500, 503].map(errorCode), [
    'rate_limit_exceeded',
    'invalid_prompt',
    'invalid_prompt',
    'invalid_prompt',
    'invalid_prompt',
    'server_error',
    'server_error',
    'server_error',
    'server_error',
  ]);
  assert.equal(['rate_limit_exceeded', 'invalid_prompt', 'context_length_exceeded', undefined].map(streamErrorCode), ['rate_limit_exceeded', 'invalid_prompt', 'server_error', 'server_error']);
});

test('Upstream: the key is cut from text and absent from its origin; an unparsable base URL is not echoed', () => {
  const upstream = new Upstream({ baseURL: 'https://user:pass@models.example/v1?key=abc', apiKey: 'sk-secret' });
  assert.is(upstream.redact('bad key sk-secret, again sk-secret'), 'bad key [redacted], again [redacted]');
  assert.is(upstream.origin, 'https://models.example/v1');
  assert.is(new Upstream({ baseURL: 'not a url' }).origin, 'the configured model API');
});

test('liveModelOptions: the flags as createServer options; describeLiveModel never shows the key', () => {
  const args = (values: Record<string, string | boolean>) => ({ values, positionals: [] });
  assert.is(liveModelOptions(args({}), {}), undefined);
  const options = liveModelOptions(args({ 'model-base-url': 'http://127.0.0.1:9/v1', 'model-api-key-env': 'KEY', 'model-stateless': true }), { KEY: 'sk-secret' });
  assert.equal(options, { baseURL: 'http://127.0.0.1:9/v1', apiKey: 'sk-secret', protocol: 'responses', store: false });
  assert.is(describeLiveModel(options!), 'model: Responses (stateless) API at http://127.0.0.1:9/v1, with a key');
  assert.throws(() => liveModelOptions(args({ 'model-base-url': 'http://x/v1', 'model-protocol': 'chat', 'model-stateless': true }), {}), /--model-stateless is for --model-protocol responses/);
});

test.run();
