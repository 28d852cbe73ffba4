// docs/guide.md: "Watching the machines".
import type { Setup } from './setup.ts';
// #region readme
import type { AnyActorRef, AnyMachineSnapshot } from 'xstate';
// #endregion

export async function main({ client, assistant, thread }: Setup) {
  // #region readme
  const states = new Map<string, string>(); // actor id → its state now
  const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }, {
    inspect: (inspection) => {
      if (inspection.type !== '@xstate.snapshot' || inspection.actorRef.sessionId === inspection.rootId) return; // skip the root
      const { id } = inspection.actorRef as AnyActorRef; // run:run_…, runStep:step_…, toolCall:step_…:0, message:msg_…
      const state = JSON.stringify((inspection.snapshot as AnyMachineSnapshot).value);
      if (states.get(id) !== state) console.log(id.split(':')[0], state);
      states.set(id, state);
    },
  });
  await stream.done();
  console.log(stream.actor.getSnapshot().value); // 'done'
  // #endregion
  return stream;
}
