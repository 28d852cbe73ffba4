// docs/restate.md: "The thread object" — the worker of a durable run: the thread object served to
// Restate over HTTP/2 (restate-server then registers it, and calls it for every run).
// #region readme
import { createServer } from 'node:http2';
import { createEndpointHandler } from '@restatedev/restate-sdk';
import { createAssistantThreadObject } from 'assistant-machines/restate';
// #endregion
import type { AddressInfo } from 'node:net';
import type { Setup } from './setup.ts';

export async function main({ client }: Pick<Setup, 'client'>, port = 9080) {
  // #region readme
  const thread = createAssistantThreadObject({
    client,
    tools: {
      // `idempotencyKey` is the same on every execution of this call: pass it on to what the tool changes.
      get_weather: async ({ city }: { city: string }, { idempotencyKey }) => ({ city, forecast: 'sunny', checkedAs: idempotencyKey }),
    },
  });
  const worker = createServer(createEndpointHandler({ services: [thread] })).listen(port, '127.0.0.1');
  // then: restate-server registers http://127.0.0.1:9080, and POST <ingress>/assistantThread/<threadId>/run starts a run
  // #endregion
  await new Promise((listening) => worker.once('listening', listening));
  return { worker, port: (worker.address() as AddressInfo).port };
}
