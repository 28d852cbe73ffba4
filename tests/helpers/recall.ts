// recall@k of a server's file search on the labelled set (tests/fixtures/semantic/recall-set.json):
// the share of questions whose labelled file is among the first k results of the vector store
// search endpoint.
import { readFileSync } from 'node:fs';
import type OpenAI from 'openai';
import { toFile } from 'openai';

/** What a labelled question tests: a paraphrase, the passage's own words, or a code the embedding does not know. */
export type QuestionKind = 'paraphrase' | 'lexical' | 'code';

export interface RecallSet {
  passages: Record<string, string>;
  questions: Array<{ question: string; answer: string; kind: QuestionKind }>;
}

export const RECALL_SET: RecallSet = JSON.parse(readFileSync(new URL('../fixtures/semantic/recall-set.json', import.meta.url), 'utf8')) as RecallSet;

/** The set's passages as files of one vector store, processed. */
export async function vectorStoreOfPassages(openai: OpenAI): Promise<{ vectorStoreId: string; fileNames: Map<string, string> }> {
  const fileNames = new Map<string, string>();
  const ids: string[] = [];
  for (const [name, text] of Object.entries(RECALL_SET.passages)) {
    const file = await openai.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
    fileNames.set(file.id, name);
    ids.push(file.id);
  }
  const store = await openai.vectorStores.create({ name: 'handbook', file_ids: ids });
  for (let tries = 0; tries < 1000; tries += 1) {
    const current = await openai.vectorStores.retrieve(store.id);
    if (current.file_counts.in_progress === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { vectorStoreId: store.id, fileNames };
}

/** recall@k over the set's questions (of one kind, or all), and which questions missed. */
export async function recallAt(openai: OpenAI, k: number, kind?: QuestionKind): Promise<{ recall: number; missed: string[]; total: number }> {
  const { vectorStoreId, fileNames } = await vectorStoreOfPassages(openai);
  const questions = RECALL_SET.questions.filter((question) => kind === undefined || question.kind === kind);
  const missed: string[] = [];
  for (const { question, answer } of questions) {
    const page = await openai.vectorStores.search(vectorStoreId, { query: question, max_num_results: k });
    if (!page.data.some((hit) => fileNames.get(hit.file_id) === answer)) missed.push(question);
  }
  return { recall: (questions.length - missed.length) / questions.length, missed, total: questions.length };
}
