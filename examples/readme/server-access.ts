// docs/server.md: "Auth": a key required, and one web page allowed to call it.
import { AssistantsClient } from 'assistant-machines';
import { createServer } from 'assistant-machines/server';

export async function main(apiKey: string) {
  // #region readme
  const server = await createServer({
    apiKey, // every request needs `Authorization: Bearer <apiKey>`, else 401 invalid_api_key
    cors: ['http://localhost:5173'], // a page served from there may call it, streams included
  });
  const client = new AssistantsClient({ baseURL: server.url, apiKey });
  // #endregion
  return { server, client };
}
