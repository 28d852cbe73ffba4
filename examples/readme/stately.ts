// docs/inspect.md: any XState app through @statelyai/inspect.
// #region readme
import { createWebSocketInspector } from '@statelyai/inspect';
import { createActor, createMachine } from 'xstate';
// #endregion

export async function main(wsUrl: string) {
  // #region readme
  const light = createMachine({
    id: 'light',
    initial: 'green',
    states: { green: { on: { TIMER: 'yellow' } }, yellow: { on: { TIMER: 'red' } }, red: {} },
  });
  const stately = createWebSocketInspector({ url: wsUrl }); // the WebSocket URL `assistant-machines inspect` printed
  const actor = createActor(light, { inspect: stately.inspect }).start();
  actor.send({ type: 'TIMER' });
  // #endregion
  return { actor, stately };
}
