// The keys the conformance suite asks for are the spec's and the live API's: the generated file
// matches what scripts/conformance-spec.ts reads from openai-openapi.yaml and the recordings.
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { specKeysSource } from '../scripts/conformance-spec.ts';
import { EVENT_REQUIRED_KEYS, RESPONSE_REQUIRED_KEYS } from '../src/testing/conformance/responses/specKeys.ts';

const SHARED = new URL('../../shared/', import.meta.url).pathname;
const present = existsSync(`${SHARED}spec/openai-openapi.yaml`) && existsSync(`${SHARED}responses-fixtures`);

test('specKeys.ts is what the spec and the recordings say (run `npm run conformance:spec` when they change)', () => {
  if (!present) {
    console.log('skipped: ../shared/spec or ../shared/responses-fixtures is absent');
    return;
  }
  const generated = specKeysSource(SHARED);
  assert.fixture(readFileSync(new URL('../src/testing/conformance/responses/specKeys.ts', import.meta.url), 'utf8'), generated);
});

test('the keys include what the checks rely on', () => {
  for (const key of ['id', 'object', 'output', 'tools', 'created_at']) assert.ok(RESPONSE_REQUIRED_KEYS.includes(key), key);
  assert.equal(EVENT_REQUIRED_KEYS['response.output_text.delta'], ['type', 'item_id', 'output_index', 'content_index', 'delta', 'sequence_number', 'logprobs']);
  assert.ok(EVENT_REQUIRED_KEYS['response.completed']!.includes('sequence_number'));
});

test.run();
