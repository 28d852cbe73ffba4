// docs/guide.md: "Function calls".
import type { Setup } from './setup.ts';

export async function main({ client }: Omit<Setup, 'assistant' | 'thread'>) {
  // #region readme
  const assistant = await client.beta.assistants.create({
    model: 'scripted',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: "What's the weather in Paris?" }] });

  let run = await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun();
  while (run.status === 'requires_action') {
    const tool_outputs = run.required_action!.submit_tool_outputs.tool_calls.map((call) => ({
      tool_call_id: call.id,
      output: JSON.stringify({ city: JSON.parse(call.function.arguments).city, forecast: 'sunny' }), // your function
    }));
    try {
      const stream = client.beta.threads.runs.submitToolOutputsStream(run.id, { thread_id: thread.id, tool_outputs });
      stream.on('textDelta', (delta) => process.stdout.write(delta.value ?? ''));
      run = await stream.finalRun();
    } catch (error) {
      // The run ended (expired, cancelled, failed) while your function ran: the API refuses the
      // outputs with a 400. Read where it went rather than assume.
      run = await client.beta.threads.runs.poll(run.id, { thread_id: thread.id });
      if (run.status === 'requires_action') throw error;
    }
  }
  // #endregion
  return run;
}
