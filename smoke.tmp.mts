import { startRestate } from '/work/wt-restate/tests/helpers/restate.ts';
import { startWorker } from '/work/wt-restate/tests/helpers/restateWorkers.ts';
import { startTestServer } from '/work/wt-restate/tests/helpers/server.ts';
import { WEATHER_AND_TIME } from '/work/wt-restate/tests/helpers/assistantRun.ts';
console.log("a"); const ts = await startTestServer(); console.log("b");
const restate = await startRestate();
console.log("c"); const worker = await startWorker({ AM_BASE_URL: ts.server.url, RECORD_FILE: '/tmp/smoke.rec' });
try {
  console.log("d"); await restate.register(worker.url); console.log("e");
  const assistant = await ts.openai.beta.assistants.create({ model: 'scripted', tools: WEATHER_AND_TIME });
  const thread = await ts.openai.beta.threads.create();
  const t0 = Date.now();
  try {
  const answer = await fetch(`${restate.ingressUrl}/assistantThread/${thread.id}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(8000), body: JSON.stringify({ assistantId: assistant.id, additionalMessages: [{ role: 'user', content: "What's the weather and the time in Paris?" }] }) });
  console.log(answer.status, Date.now() - t0, 'ms');
  const out = await answer.json();
  console.log(JSON.stringify(out).slice(0, 600));
  } catch (e) { console.log('ERR', e); }
  console.log(JSON.stringify(await restate.query("select id, status, last_failure, last_failure_error_code, journal_size from sys_invocation")));
  console.log(JSON.stringify(await restate.query("select index, entry_type, name, version from sys_journal")));
  worker.process.stderr.on('data', d => console.log(String(d)));
  console.log(JSON.stringify(await restate.query("select id, status from sys_invocation")));
  const state = await fetch(`${restate.ingressUrl}/assistantThread/${thread.id}/state`, { method: 'POST' });
  console.log(await state.text());
} finally {
  await worker.kill(); await restate.stop(); await ts.close();
}
