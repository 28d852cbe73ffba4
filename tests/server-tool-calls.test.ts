import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ToolCallDelta } from '../src/index.ts';
import type { SearchHit } from '../src/server/search.ts';
import { callCodeInterpreter } from '../src/server/tools/codeInterpreter.ts';
import { callFileSearch, fileSearchRanking } from '../src/server/tools/fileSearch.ts';
import { callFunction } from '../src/server/tools/function.ts';
import { fragments, type ServerToolCall, type ToolCallContext } from '../src/server/tools/toolCall.ts';

// Each tool kind in its own module: what one call streams, in order, through the context the
// run executor lends it (here a recording one, with no pauses).

function recordingContext(index = 1) {
  const log: string[] = [];
  const step: ServerToolCall[] = [];
  const deltas: ToolCallDelta[] = [];
  const context: ToolCallContext = {
    index,
    id: 'call_1',
    open(toolCall, first) {
      step.push(toolCall);
      deltas.push(first);
      log.push('open');
    },
    delta(delta) {
      deltas.push(delta);
      log.push('delta');
    },
    fragmentPause: async () => void log.push('fragment pause'),
    stepPause: async () => void log.push('step pause'),
    countCompletion: (text) => void log.push(`count ${text}`),
  };
  return { context, log, step, deltas };
}

test('fragments cuts text into fixed-size pieces; nothing for empty text', () => {
  assert.equal(fragments('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.equal(fragments(''), []);
  assert.is(fragments('x'.repeat(20)).join(''), 'x'.repeat(20));
});

test('a function call streams its name, then its arguments in fragments; its output stays null', async () => {
  const { context, log, step, deltas } = recordingContext();
  const call = await callFunction({ name: 'get_weather', arguments: '{"city":"Paris"}' }, context);
  assert.equal(call, { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null } });
  assert.is(step[0], call, 'the call grows in its step in place');
  assert.equal(deltas, [
    { index: 1, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '', output: null } },
    { index: 1, type: 'function', function: { arguments: '{"city":' } },
    { index: 1, type: 'function', function: { arguments: '"Paris"}' } },
  ]);
  assert.equal(log, ['open', 'fragment pause', 'delta', 'fragment pause', 'delta', 'count get_weather{"city":"Paris"}']);
});

test('a code interpreter call streams its code, runs it, and streams the logs', async () => {
  const { context, log, deltas } = recordingContext(0);
  const call = await callCodeInterpreter({ input: 'print(2**10)' }, context);
  assert.equal(call.code_interpreter, { input: 'print(2**10)', outputs: [{ type: 'logs', logs: '1024' }] });
  assert.equal(deltas.at(-1), { index: 0, type: 'code_interpreter', code_interpreter: { outputs: [{ index: 0, type: 'logs', logs: '1024' }] } });
  assert.equal(log, ['open', 'fragment pause', 'delta', 'fragment pause', 'delta', 'count print(2**10)', 'step pause', 'delta']);
});

test('a file search call searches with the run’s ranking and keeps the results in the call, not in deltas', async () => {
  const { context, deltas } = recordingContext(0);
  const hit: SearchHit = { fileId: 'file-1', filename: 'pets.md', score: 0.9, text: 'Cats sleep a lot.' };
  const asked: unknown[] = [];
  const ranking = fileSearchRanking([{ type: 'file_search', file_search: { max_num_results: 3, ranking_options: { score_threshold: 0.5 } } }]);
  const call = await callFileSearch({ query: 'cats' }, context, ranking, (query, options) => {
    asked.push([query, options]);
    return [hit];
  });
  assert.equal(asked, [['cats', { maxResults: 3, scoreThreshold: 0.5 }]]);
  assert.equal(call.file_search, {
    ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0.5 },
    results: [{ file_id: 'file-1', file_name: 'pets.md', score: 0.9, content: [{ type: 'text', text: 'Cats sleep a lot.' }] }],
  });
  assert.equal(deltas, [{ index: 0, id: 'call_1', type: 'file_search', file_search: {} }]);
});

test('fileSearchRanking: the API’s defaults without a file_search tool', () => {
  assert.equal(fileSearchRanking([]), { maxResults: 20, scoreThreshold: 0 });
  assert.equal(fileSearchRanking([{ type: 'code_interpreter' }, { type: 'file_search' }]), { maxResults: 20, scoreThreshold: 0 });
});

test.run();
