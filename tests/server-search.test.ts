import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bestPassage, chunkText, searchDocuments, type SearchDocument } from '../src/server/search.ts';

const handbook: SearchDocument = {
  fileId: 'file-handbook',
  filename: 'handbook.md',
  chunks: [
    'Our office opens at nine. Lunch is served at noon in the canteen.',
    'Refunds are issued within 14 days of a return. Refund requests need the original receipt.',
  ],
};
const recipes: SearchDocument = {
  fileId: 'file-recipes',
  filename: 'recipes.txt',
  chunks: ['Bake the bread for 40 minutes. The canteen serves this bread on Fridays.'],
};

test('chunks overlap by the configured number of words and keep the text verbatim', () => {
  assert.equal(chunkText('a  b c d e', { maxChunkSizeTokens: 3, chunkOverlapTokens: 1 }), ['a  b c', 'c d e']);
  assert.equal(chunkText('one two', { maxChunkSizeTokens: 800, chunkOverlapTokens: 400 }), ['one two']);
  assert.equal(chunkText(' \n ', { maxChunkSizeTokens: 3, chunkOverlapTokens: 1 }), []);
});

test('ranks the chunk that talks about the question first, with a score in 0..1', () => {
  const hits = searchDocuments('How long do refunds take?', [handbook, recipes]);
  assert.equal(hits.map((hit) => [hit.fileId, hit.text.slice(0, 7)]), [['file-handbook', 'Refunds']]);
  assert.ok(hits[0]!.score > 0 && hits[0]!.score <= 1);
});

test('a word found in several files ranks the file that says more about it first', () => {
  const hits = searchDocuments('canteen bread', [handbook, recipes]);
  assert.equal(hits.map((hit) => hit.fileId), ['file-recipes', 'file-handbook']);
  assert.ok(hits[0]!.score > hits[1]!.score);
});

test('nothing matches: no hits; the threshold and the result cap apply', () => {
  assert.equal(searchDocuments('quantum chromodynamics', [handbook, recipes]), []);
  assert.equal(searchDocuments('canteen bread', [handbook, recipes], { maxResults: 1 }).length, 1);
  assert.equal(searchDocuments('canteen bread', [handbook, recipes], { scoreThreshold: 0.99 }), []);
});

test('the quoted passage is the sentence that mentions the most query words', () => {
  assert.equal(bestPassage('refund receipt', handbook.chunks[1]!), 'Refund requests need the original receipt.');
  assert.equal(bestPassage('zebra', 'First sentence. Second one.'), 'First sentence.');
});

test.run();
