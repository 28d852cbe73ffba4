import type { ConformanceCheck } from '../check.ts';
import { expect, messageText } from '../http.ts';
import { thread, assistant, streamRun } from './api.ts';

export const codeInterpreter: ConformanceCheck = {
  id: 'code-interpreter',
  protocol: 'assistants',
  title: 'code interpreter: a code_interpreter call with logs, the result stated',
  async run(ctx) {
    const assistantId = await assistant(ctx, { tools: [{ type: 'code_interpreter' }] }, 'code interpreter');
    const threadId = await thread(ctx, 'What is 2**10 + 3*7? Compute it with code.');
    const streamed = await streamRun(ctx, `/threads/${threadId}/runs`, { assistant_id: assistantId });
    expect(streamed.run.status === 'completed', `the run ended ${streamed.run.status}, not completed`);
    const calls = streamed.steps.flatMap((step) => (step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : []));
    const code = calls.find((toolCall) => toolCall.type === 'code_interpreter');
    expect(code !== undefined, 'no code_interpreter tool call was streamed');
    expect(code.type === 'code_interpreter' && code.code_interpreter.input.length > 0, 'the code_interpreter call has no input');
    const logs = code.code_interpreter.outputs.some((output) => output.type === 'logs' && output.logs.includes('1045'));
    expect(logs, 'the code_interpreter call has no logs with 1045');
    expect(streamed.messages.some((message) => messageText(message).includes('1045')), 'no message states 1045');
  },
};
