// docs/server.md: "In front of a live model".
// #region readme
import OpenAI from 'openai';
import { createServer } from 'assistant-machines/server';
// #endregion

export async function main() {
  // #region readme
  // Assistants code, unchanged, on today's models: the server keeps the assistants, threads and
  // runs; a Responses API (or Chat Completions, protocol: 'chat') writes the answers.
  const server = await createServer({
    model: { baseURL: process.env['MODEL_BASE_URL'] ?? 'https://api.openai.com/v1', apiKey: process.env['MODEL_API_KEY'], protocol: 'responses' },
  });
  const openai = new OpenAI({ baseURL: server.url, apiKey: 'anything' }); // the server's own key, not the model's
  const assistant = await openai.beta.assistants.create({ model: 'gpt-4.1-mini', instructions: 'Answer in one sentence.' });
  const run = await openai.beta.threads.createAndRunPoll({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hello!' }] } });
  console.log(run.status, run.usage?.total_tokens); // the model API's own token count
  // #endregion
  return { server, run };
}
