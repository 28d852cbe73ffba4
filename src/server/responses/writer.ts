import type {
  Message,
  MessageDeltaEvent,
  ResponseCodeInterpreterCall,
  ResponseFileSearchCall,
  ResponseFunctionCall,
  ResponseObject,
  ResponseOutputMessage,
  ResponseOutputText,
  Run,
  RunStep,
  RunStepDeltaEvent,
  ToolCall,
} from '../../wire/index.ts';
import { outputText } from '../../wire/index.ts';
import { responseUsage } from './responseObject.ts';

// The times an Assistants object records when something happened to it (not `expires_at`).
const LOGGED_TIMES = ['created_at', 'started_at', 'completed_at', 'failed_at', 'cancelled_at', 'incomplete_at'] as const;

/** Where a response's events go: appended to its log, in order. */
export type ResponseEventSink = (event: { type: string } & Record<string, unknown>) => void;

type OutputItem = ResponseOutputMessage | ResponseFunctionCall | ResponseCodeInterpreterCall | ResponseFileSearchCall;

interface ToolSlot {
  item: ResponseFunctionCall | ResponseCodeInterpreterCall | ResponseFileSearchCall;
  outputIndex: number;
  done: boolean;
}

/**
 * Writes one response's stream from its run's Assistants events: the reverse of the client's
 * adapter (src/wire/responses/translate.ts), so the embedded server's one executor serves both
 * APIs. Citations lose their `【n:m†source】` markers: the Responses API cites by `index`.
 *
 * @example
 * ```ts
 * const writer = new ResponseWriter(response, (event) => record.append(event), { background: false, query: 'hi' });
 * writer.take('thread.run.in_progress', run);
 * ```
 */
export class ResponseWriter {
  readonly #response: ResponseObject;
  readonly #emit: ResponseEventSink;
  readonly #query: string;
  readonly #output: OutputItem[] = [];
  readonly #tools = new Map<string, ToolSlot>();
  readonly #steps = new Set<string>();
  readonly #messages = new Map<string, { item: ResponseOutputMessage; outputIndex: number; assistantsText: string }>();
  readonly #fileNames = new Map<string, string>();
  #started = false;
  #finished = false;
  /** The latest time the log's objects carry so far (epoch seconds; 0 before any). */
  #lastLoggedAt = 0;

  constructor(response: ResponseObject, emit: ResponseEventSink, options: { query: string }) {
    this.#response = response;
    this.#emit = emit;
    this.#query = options.query;
  }

  /** Whether the response reached a terminal event. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Takes one event of the run (its name and data, as the Assistants stream carries them). */
  take(name: string, data: unknown): void {
    if (this.#finished) return;
    // Deltas carry no times: most of a run's events are deltas, so they skip the look.
    if (!name.endsWith('.delta')) this.#noteTimes(data);
    if (name.startsWith('thread.run.step.')) this.#step(name, data as RunStep | RunStepDeltaEvent);
    else if (name.startsWith('thread.run.')) this.#run(name, data as Run);
    else if (name.startsWith('thread.message.')) this.#message(name, data as Message | MessageDeltaEvent);
  }

  #noteTimes(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    const times = data as Partial<Record<(typeof LOGGED_TIMES)[number], unknown>>;
    for (const field of LOGGED_TIMES) {
      const value = times[field];
      if (typeof value === 'number' && value > this.#lastLoggedAt) this.#lastLoggedAt = value;
    }
  }

  #run(name: string, run: Run): void {
    const status = name.slice('thread.run.'.length);
    if (!this.#started) {
      this.#started = true;
      this.#lifecycle('response.created', this.#response.background === true ? 'queued' : 'in_progress');
      if (this.#response.background === true) this.#lifecycle('response.queued', 'queued');
      if (status === 'created' || status === 'queued') return;
    }
    switch (status) {
      case 'in_progress':
        this.#lifecycle('response.in_progress', 'in_progress');
        return;
      case 'requires_action':
        // The function calls are complete: the response ends, the client answers in the next one.
        for (const slot of this.#tools.values()) if (slot.item.type === 'function_call') this.#finishTool(slot, undefined);
        this.#end('response.completed', 'completed', run);
        return;
      case 'completed':
        this.#end('response.completed', 'completed', run);
        return;
      case 'incomplete':
        this.#response.incomplete_details = { reason: 'max_output_tokens' };
        this.#end('response.incomplete', 'incomplete', run);
        return;
      case 'failed':
        this.#response.error = { code: run.last_error?.code ?? 'server_error', message: run.last_error?.message ?? 'The response failed.' };
        this.#end('response.failed', 'failed', run);
        return;
      case 'expired':
        this.#response.error = { code: 'server_error', message: 'The run behind this response expired.' };
        this.#end('response.failed', 'failed', run);
        return;
      case 'cancelled':
        // The Responses stream has no event for a cancelled response: it ends with
        // response.incomplete carrying status `cancelled` (docs/responses.md).
        this.#end('response.incomplete', 'cancelled', run);
        return;
    }
  }

  #end(type: string, status: ResponseObject['status'], run: Run): void {
    if (run.usage != null) this.#response.usage = responseUsage(run.usage);
    // A run paused at requires_action has no completed_at. The clock is no stand-in: a response
    // is rebuilt from its run's log after a restart or on another server, and must read the same.
    if (status === 'completed') this.#response.completed_at = run.completed_at ?? (this.#lastLoggedAt || this.#response.created_at);
    this.#finished = true;
    this.#lifecycle(type, status);
  }

  #lifecycle(type: string, status: ResponseObject['status']): void {
    this.#response.status = status;
    this.#response.output = this.#output;
    this.#response.output_text = outputText(this.#output);
    this.#emit({ type, response: structuredClone(this.#response) });
  }

  // ── tool calls ──────────────────────────────────────────────────────────────────────────

  #step(name: string, event: RunStep | RunStepDeltaEvent): void {
    if (name === 'thread.run.step.created') {
      const data = event as RunStep;
      this.#steps.add(data.id);
      return;
    }
    if (!this.#steps.has(event.id)) return; // a step of an earlier response (its completion after tool outputs)
    if (name === 'thread.run.step.delta') {
      const data = event as RunStepDeltaEvent;
      const details = data.delta.step_details;
      if (details?.type !== 'tool_calls') return;
      for (const call of details.tool_calls ?? []) this.#toolDelta(data.id, call);
      return;
    }
    const data = event as RunStep;
    if (name === 'thread.run.step.in_progress' || data.step_details?.type !== 'tool_calls') return;
    for (const [index, call] of data.step_details.tool_calls.entries()) {
      const slot = this.#tools.get(`${data.id}:${index}`);
      if (slot !== undefined && !slot.done) this.#finishTool(slot, call, name === 'thread.run.step.completed' ? 'completed' : 'incomplete');
    }
  }

  #toolDelta(
    stepId: string,
    call: NonNullable<Extract<RunStepDeltaEvent['delta']['step_details'], { type: 'tool_calls' }>['tool_calls']>[number],
  ): void {
    const key = `${stepId}:${call.index}`;
    let slot = this.#tools.get(key);
    if (slot === undefined) {
      if (call.id === undefined) return;
      const suffix = call.id.replace(/^call_/, '');
      const item =
        call.type === 'function'
          ? ({
              id: `fc_${suffix}`,
              type: 'function_call',
              status: 'in_progress',
              arguments: '',
              call_id: call.id,
              caller: null,
              name: call.function?.name ?? '',
            } satisfies ResponseFunctionCall)
          : call.type === 'code_interpreter'
            ? ({
                type: 'code_interpreter_call',
                id: `ci_${suffix}`,
                code: '',
                outputs: null,
                status: 'in_progress',
                container_id: 'cntr_embedded',
              } satisfies ResponseCodeInterpreterCall)
            : ({
                type: 'file_search_call',
                id: `fs_${suffix}`,
                queries: [this.#query],
                status: 'in_progress',
                results: null,
              } satisfies ResponseFileSearchCall);
      slot = { item, outputIndex: this.#output.length, done: false };
      this.#tools.set(key, slot);
      this.#output.push(item);
      this.#emit({ type: 'response.output_item.added', output_index: slot.outputIndex, item: structuredClone(item) });
      const item_id = item.id!;
      if (item.type === 'code_interpreter_call')
        this.#emit({ type: 'response.code_interpreter_call.in_progress', item_id, output_index: slot.outputIndex });
      if (item.type === 'file_search_call') {
        this.#emit({ type: 'response.file_search_call.in_progress', item_id, output_index: slot.outputIndex });
        this.#emit({ type: 'response.file_search_call.searching', item_id, output_index: slot.outputIndex });
      }
    }
    const { item, outputIndex: output_index } = slot;
    const item_id = item.id!;
    if (call.type === 'function' && item.type === 'function_call') {
      const delta = call.function?.arguments ?? '';
      if (delta === '') return;
      item.arguments += delta;
      this.#emit({ type: 'response.function_call_arguments.delta', item_id, output_index, delta });
    } else if (call.type === 'code_interpreter' && item.type === 'code_interpreter_call') {
      const delta = call.code_interpreter?.input ?? '';
      if (delta !== '') {
        item.code = (item.code ?? '') + delta;
        this.#emit({ type: 'response.code_interpreter_call_code.delta', item_id, output_index, delta });
      }
      for (const output of call.code_interpreter?.outputs ?? []) {
        if (output.type === 'logs') item.outputs = [...(item.outputs ?? []), { type: 'logs', logs: output.logs ?? '' }];
      }
    }
  }

  #finishTool(slot: ToolSlot, call: ToolCall | undefined, status: 'completed' | 'incomplete' = 'completed'): void {
    slot.done = true;
    const { item, outputIndex: output_index } = slot;
    const item_id = item.id!;
    if (item.type === 'function_call') {
      this.#emit({ type: 'response.function_call_arguments.done', item_id, output_index, arguments: item.arguments });
    } else if (item.type === 'code_interpreter_call') {
      this.#emit({ type: 'response.code_interpreter_call_code.done', item_id, output_index, code: item.code ?? '' });
      this.#emit({ type: 'response.code_interpreter_call.interpreting', item_id, output_index });
      if (item.outputs === null) item.outputs = [];
      this.#emit({ type: 'response.code_interpreter_call.completed', item_id, output_index });
    } else {
      const results = call?.type === 'file_search' ? (call.file_search.results ?? []) : [];
      item.results = results.map((result) => {
        if (result.file_name !== undefined) this.#fileNames.set(result.file_id, result.file_name);
        return {
          file_id: result.file_id,
          filename: result.file_name ?? result.file_id,
          score: result.score ?? 0,
          text: (result.content ?? []).map((part) => part.text ?? '').join(''),
          attributes: {},
        };
      });
      this.#emit({ type: 'response.file_search_call.completed', item_id, output_index });
    }
    item.status = status === 'completed' ? 'completed' : 'incomplete';
    this.#emit({ type: 'response.output_item.done', output_index, item: structuredClone(item) });
  }

  // ── messages ────────────────────────────────────────────────────────────────────────────

  #message(name: string, event: Message | MessageDeltaEvent): void {
    if (name === 'thread.message.created') {
      const data = event as Message;
      const item: ResponseOutputMessage = { id: data.id, type: 'message', status: 'in_progress', content: [], phase: null, role: 'assistant' };
      const outputIndex = this.#output.length;
      this.#messages.set(data.id, { item, outputIndex, assistantsText: '' });
      this.#output.push(item);
      this.#emit({ type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) });
      return;
    }
    const entry = this.#messages.get(event.id);
    if (entry === undefined) return;
    const { item, outputIndex: output_index } = entry;
    const item_id = item.id;
    if (name === 'thread.message.delta') {
      for (const block of (event as MessageDeltaEvent).delta.content ?? []) {
        if (block.type !== 'text') continue;
        let part = item.content[0] as ResponseOutputText | undefined;
        if (part === undefined) {
          part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
          item.content.push(part);
          this.#emit({
            type: 'response.content_part.added',
            item_id,
            output_index,
            content_index: 0,
            part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
          });
        }
        let value = block.text?.value ?? '';
        entry.assistantsText += value;
        // The Assistants text carries each citation's marker; the Responses text cites by index.
        const citations: Array<{ file_id: string; at: number }> = [];
        for (const annotation of block.text?.annotations ?? []) {
          if (annotation.type !== 'file_citation' || annotation.text === undefined) continue;
          const at = value.indexOf(annotation.text);
          if (at === -1) continue;
          value = value.slice(0, at) + value.slice(at + annotation.text.length);
          citations.push({ file_id: annotation.file_citation?.file_id ?? '', at: part.text.length + at });
        }
        if (value !== '') {
          part.text += value;
          this.#emit({ type: 'response.output_text.delta', item_id, output_index, content_index: 0, delta: value, logprobs: [] });
        }
        for (const citation of citations) {
          const annotation = {
            type: 'file_citation' as const,
            file_id: citation.file_id,
            filename: this.#fileNames.get(citation.file_id) ?? citation.file_id,
            index: Math.min(citation.at, part.text.length),
          };
          const annotation_index = part.annotations.length;
          part.annotations.push(annotation);
          this.#emit({ type: 'response.output_text.annotation.added', item_id, output_index, content_index: 0, annotation_index, annotation });
        }
      }
      return;
    }
    if (name !== 'thread.message.completed' && name !== 'thread.message.incomplete') return;
    const part = item.content[0] as ResponseOutputText | undefined;
    if (part !== undefined) {
      this.#emit({ type: 'response.output_text.done', item_id, output_index, content_index: 0, text: part.text, logprobs: [] });
      this.#emit({ type: 'response.content_part.done', item_id, output_index, content_index: 0, part: structuredClone(part) });
    }
    item.status = name === 'thread.message.completed' ? 'completed' : 'incomplete';
    this.#emit({ type: 'response.output_item.done', output_index, item: structuredClone(item) });
  }
}
