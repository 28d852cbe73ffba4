import { AssistantStreamError, safeEventName, type AssistantStreamErrorKind } from '../errors.ts';
import { toWireEvent, type WireEvent } from '../events.ts';
import { growString } from '../grow.ts';
import type { Message, MessageDelta } from '../schemas/message.ts';
import type { RunStatus } from '../schemas/run.ts';
import type { RunStep, ToolCall, ToolCallDelta } from '../schemas/step.ts';
import { annotationOf, isMappedToolItem, messageOfItem, newStep, runOfResponse, toolCallOfItem, type RunIdentity } from './objects.ts';
import type {
  ResponseCodeInterpreterCall,
  ResponseFunctionCall,
  ResponseObject,
  ResponseOtherItem,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
} from './types.ts';

/** Options of {@link ResponsesTranslator}. */
export interface ResponsesTranslatorOptions {
  /**
   * The run id the chain of responses shares (the first response's id). Default: the id of
   * the response this stream carries. A stream given a run id other than its response's
   * continues a run: it starts with `thread.run.queued` instead of `thread.run.created`.
   */
  runId?: string | undefined;
  /**
   * The stream's lifecycle mode (the charts' `tolerant` or `strict`). It decides one thing here:
   * a stream from before the API numbered its events (`sequence_number` came in 2025) is read
   * in `tolerant` (the default), its events numbered by their order, as the official SDK reads
   * it; `strict` refuses it at its first event (`schema`).
   */
  lifecycle?: 'tolerant' | 'strict' | undefined;
}

type JSONObject = Record<string, unknown>;

/** One output item of the response, as the translator follows it. */
interface Slot {
  readonly outputIndex: number;
  readonly id: string | undefined;
  item: ResponseOutputItem | ResponseOtherItem;
  readonly kind: 'message' | 'tool' | 'other';
  done: boolean;
  /** message: its `message_creation` step; tool: its `tool_calls` step (one per tool item). */
  stepId?: string;
  /** tool: whether its step ended. */
  stepEnded?: boolean;
  /** message: which content parts the Assistants message has a block for. */
  opened?: boolean[];
  /** message: how many Assistants annotations each part has so far. */
  annotations?: number[];
}

const LIFECYCLE_RUN_EVENTS = {
  'response.queued': 'thread.run.queued',
  'response.in_progress': 'thread.run.in_progress',
} as const;

/**
 * Turns a Responses stream (`response.*` events) into the Assistants stream events the
 * statecharts take: a response is a run, a message item a `message_creation` step plus a
 * message, each tool item a `tool_calls` step with one call. It keeps the response as it grows
 * (what `finalResponse()` returns) and checks what the charts cannot: `sequence_number`
 * order, and that every item event names an item that was added, at its `output_index`.
 * Events without an Assistants counterpart pass through as unknown events. docs/responses.md
 * is the whole mapping and what it loses.
 *
 * @example
 * ```ts
 * const translator = new ResponsesTranslator((event) => stream.send(event));
 * translator.feed(JSON.parse(data), 1);
 * ```
 */
export class ResponsesTranslator {
  readonly #deliver: (event: WireEvent) => void;
  readonly #runIdOption: string | undefined;
  #response: ResponseObject | undefined;
  #final: ResponseObject | undefined;
  #identity: RunIdentity | undefined;
  #lastSequence: number | undefined;
  /** Whether the events carry `sequence_number`: decided by the first that should. */
  #numbered: boolean | undefined;
  readonly #lifecycle: 'tolerant' | 'strict';
  readonly #slots: Slot[] = [];
  readonly #slotsById = new Map<string, Slot>();
  #status: RunStatus = 'queued';
  #lastRunEvent: string | undefined;

  constructor(deliver: (event: WireEvent) => void, options: ResponsesTranslatorOptions = {}) {
    this.#deliver = deliver;
    this.#runIdOption = options.runId;
    this.#lifecycle = options.lifecycle ?? 'tolerant';
  }

  /**
   * The `sequence_number` of `json`, or — in a stream from before the API numbered its events —
   * the one it is given by its order (0 for the first). Undefined for an event that needs none
   * (an unnumbered `error` or `keepalive`) or is not a Responses event.
   */
  sequenceOf(json: unknown): number | undefined {
    if (!isRecord(json)) return undefined;
    const sequence = json['sequence_number'];
    if (typeof sequence === 'number') return sequence;
    if (sequence !== undefined || this.#numbered === true || isUnnumberedKind(json['type'])) return undefined;
    return (this.#lastSequence ?? -1) + 1;
  }

  /** The response as accumulated so far (undefined before `response.created`). */
  get response(): ResponseObject | undefined {
    return this.#response;
  }

  /** The response of the last terminal event (`completed`, `failed`, `incomplete`), once seen. */
  get finalResponse(): ResponseObject | undefined {
    return this.#final;
  }

  /** The `output_index` of every item added and not done yet, in order. */
  get unfinishedItems(): number[] {
    return this.#slots.filter((slot) => !slot.done).map((slot) => slot.outputIndex);
  }

  /**
   * The `sequence_number` of the last event taken: undefined before any, and in a stream from
   * before the API numbered its events (whose numbers are only their order here: a server that
   * does not number cannot be asked for what came after one).
   */
  get lastSequence(): number | undefined {
    return this.#numbered === false ? undefined : this.#lastSequence;
  }

  /**
   * Translates one event (`seq`: its 1-based position in the stream, for errors; `name`: the
   * SSE event name, if the frame had one). Returns the accumulated text or arguments for a
   * text or arguments delta (the official `ResponseStream`'s `snapshot`). Throws an
   * {@link AssistantStreamError} that says what and where.
   */
  feed(json: unknown, seq: number, name?: string): string | undefined {
    if (!isRecord(json)) throw fault('schema', 'a Responses event must be a JSON object', seq, name, 'data');
    const type = json['type'];
    if (typeof type !== 'string') throw fault('schema', 'a Responses event needs a string type', seq, name, 'data.type');
    if (name !== undefined && name !== type) throw fault('schema', 'the SSE event name and data.type differ', seq, name, 'data.type');
    this.#checkSequence(json, seq, type);
    switch (type) {
      case 'error':
        this.#deliver(toWireEvent('error', json, seq));
        return undefined;
      case 'response.created':
        this.#created(json, seq);
        return undefined;
      case 'response.queued':
      case 'response.in_progress': {
        const response = this.#adopt(json, seq, type);
        // A continuation already said `queued` at its response.created: once is what the
        // Assistants API sends after tool outputs, so a background continuation's own
        // response.queued adds nothing.
        if (type === 'response.queued' && this.#lastRunEvent === 'thread.run.queued') return undefined;
        this.#runEvent(LIFECYCLE_RUN_EVENTS[type], response, seq);
        return undefined;
      }
      case 'response.completed':
      case 'response.failed':
      case 'response.incomplete':
        this.#finish(json, seq, type);
        return undefined;
    }
    if (this.#response === undefined) throw fault('lifecycle', 'a Responses stream must start with response.created', seq, type);
    switch (type) {
      case 'response.output_item.added':
        this.#itemAdded(json, seq, type);
        return undefined;
      case 'response.output_item.done':
        this.#itemDone(json, seq, type);
        return undefined;
      case 'response.content_part.added':
        this.#partAdded(json, seq, type);
        return undefined;
      case 'response.content_part.done':
        this.#partDone(json, seq, type);
        return undefined;
      case 'response.output_text.delta':
        return this.#textDelta(json, seq, type);
      case 'response.output_text.done':
        this.#textDone(json, seq, type);
        return undefined;
      case 'response.output_text.annotation.added':
        this.#annotationAdded(json, seq, type);
        return undefined;
      case 'response.refusal.delta':
        this.#refusalDelta(json, seq, type);
        return undefined;
      case 'response.refusal.done':
        this.#refusalDone(json, seq, type);
        return undefined;
      case 'response.function_call_arguments.delta':
        return this.#argumentsDelta(json, seq, type);
      case 'response.function_call_arguments.done':
        this.#argumentsDone(json, seq, type);
        return undefined;
      case 'response.code_interpreter_call_code.delta':
        this.#codeDelta(json, seq, type);
        return undefined;
      case 'response.code_interpreter_call_code.done':
        this.#codeDone(json, seq, type);
        return undefined;
      case 'response.code_interpreter_call.in_progress':
      case 'response.code_interpreter_call.interpreting':
      case 'response.code_interpreter_call.completed':
      case 'response.file_search_call.in_progress':
      case 'response.file_search_call.searching':
      case 'response.file_search_call.completed': {
        // Status changes of a hosted call: the Assistants stream has no event for them.
        const slot = this.#slotOf(json, seq, type, 'tool');
        (slot.item as { status?: string }).status = type.slice(type.lastIndexOf('.') + 1);
        return undefined;
      }
      default:
        this.#passThrough(json, seq, type);
        return undefined;
    }
  }

  // ── sequence and lifecycle ──────────────────────────────────────────────────────────────

  #checkSequence(json: JSONObject, seq: number, type: string): void {
    const sequence = json['sequence_number'];
    // An error, or a keepalive, may come unnumbered; every other event is numbered.
    if (sequence === undefined && isUnnumberedKind(type)) return;
    // The first event decides whether the stream numbers its events: the API has since 2025.
    this.#numbered ??= sequence !== undefined;
    if (!this.#numbered) {
      if (this.#lifecycle === 'strict') {
        throw fault('schema', "sequence_number is missing: a stream from before the API numbered its events is read only in the 'tolerant' lifecycle", seq, type, 'data.sequence_number');
      }
      if (sequence !== undefined) throw fault('schema', 'sequence_number on an event of a stream whose first events had none', seq, type, 'data.sequence_number');
      // Numbered by arrival: the order is all such a stream has to go by.
      this.#lastSequence = (this.#lastSequence ?? -1) + 1;
      return;
    }
    if (sequence === undefined) throw fault('schema', 'sequence_number is missing on an event of a stream whose first events had one', seq, type, 'data.sequence_number');
    if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
      throw fault('schema', 'sequence_number must be a non-negative integer', seq, type, 'data.sequence_number');
    }
    const last = this.#lastSequence;
    if (last !== undefined && sequence !== last + 1) {
      const what =
        sequence <= last
          ? `sequence_number ${sequence} comes after ${last}: the events are out of order`
          : `sequence_number ${sequence} comes after ${last}: ${sequence - last - 1} event(s) are missing`;
      throw fault('lifecycle', what, seq, type, 'data.sequence_number');
    }
    this.#lastSequence = sequence;
  }

  #created(json: JSONObject, seq: number): void {
    if (this.#response !== undefined) throw fault('lifecycle', 'a second response.created in one stream', seq, 'response.created');
    const response = responseOf(json, seq, 'response.created');
    this.#response = { ...response, output: [] };
    const runId = this.#runIdOption ?? response.id;
    // A thread is a conversation: a response in one names it as its run's thread.
    const conversationId = (response.conversation as { id?: unknown } | null | undefined)?.id;
    this.#identity = { runId, threadId: typeof conversationId === 'string' ? conversationId : runId };
    for (const item of response.output) this.#addSlot(item, seq, 'response.created');
    const continues = runId !== response.id;
    this.#runEvent(continues ? 'thread.run.queued' : 'thread.run.created', response, seq);
  }

  #adopt(json: JSONObject, seq: number, type: string): ResponseObject {
    const current = this.#requireResponse(seq, type);
    const incoming = responseOf(json, seq, type);
    if (incoming.id !== current.id) throw fault('lifecycle', 'the response id changed within one stream', seq, type, 'data.response.id');
    // The lifecycle event's fields are newer; the output is what the stream built (or, when
    // the event lists more items than we saw, the event's).
    const output = incoming.output.length > current.output.length ? incoming.output : current.output;
    this.#response = { ...incoming, output };
    return this.#response;
  }

  #runEvent(type: 'thread.run.created' | 'thread.run.queued' | 'thread.run.in_progress', response: ResponseObject, seq: number): void {
    this.#lastRunEvent = type;
    this.#status = type === 'thread.run.in_progress' ? 'in_progress' : 'queued';
    this.#deliver({ type, data: runOfResponse(response, this.#identity!, this.#status), seq });
  }

  #finish(json: JSONObject, seq: number, type: 'response.completed' | 'response.failed' | 'response.incomplete'): void {
    const response = this.#adopt(json, seq, type);
    if (response.status !== 'cancelled' && type !== 'response.failed') this.#ensureInProgress(seq);
    // Items the event lists as done replace what the stream built; then everything still open closes.
    const byId = new Map<string, ResponseOutputItem | ResponseOtherItem>();
    for (const item of response.output) if (typeof item.id === 'string') byId.set(item.id, item);
    const status: RunStatus =
      response.status === 'cancelled'
        ? 'cancelled'
        : type === 'response.failed'
          ? 'failed'
          : type === 'response.incomplete'
            ? 'incomplete'
            : 'completed';
    for (const slot of this.#slots) {
      if (slot.done || slot.kind !== 'message') continue;
      const final = (slot.id === undefined ? undefined : byId.get(slot.id)) ?? slot.item;
      this.#closeMessage(slot, final as ResponseOutputMessage, status === 'completed' ? 'completed' : 'incomplete', status, seq);
    }
    for (const slot of this.#slots) if (slot.kind === 'tool') this.#endToolStep(slot, status, seq);
    response.output = this.#slots.map((slot) => (slot.id === undefined ? undefined : byId.get(slot.id)) ?? slot.item);
    for (const item of byId.values()) if (!response.output.includes(item)) response.output.push(item);
    response.output_text = outputText(response.output);
    this.#final = response;
    const pending = response.output.filter((item): item is ResponseFunctionCall => item.type === 'function_call');
    const runStatus: RunStatus = status === 'completed' && pending.length > 0 ? 'requires_action' : status;
    this.#status = runStatus;
    this.#deliver({ type: `thread.run.${runStatus}`, data: runOfResponse(response, this.#identity!, runStatus, pending), seq });
  }

  // A response that produces output or ends without response.in_progress still went through it
  // (the run chart has no queued → completed edge).
  #ensureInProgress(seq: number): void {
    if (this.#status === 'queued') this.#runEvent('thread.run.in_progress', this.#response!, seq);
  }

  #requireResponse(seq: number, type: string): ResponseObject {
    if (this.#response === undefined) throw fault('lifecycle', 'a Responses stream must start with response.created', seq, type);
    return this.#response;
  }

  // ── output items ────────────────────────────────────────────────────────────────────────

  #itemAdded(json: JSONObject, seq: number, type: string): void {
    const outputIndex = indexField(json, 'output_index', seq, type);
    if (outputIndex !== this.#slots.length) {
      throw fault('invalid-index', `output_index ${outputIndex} is not the next item (${this.#slots.length})`, seq, type, 'data.output_index');
    }
    const item = json['item'];
    if (!isRecord(item) || typeof item['type'] !== 'string')
      throw fault('schema', 'output_item.added needs an item with a type', seq, type, 'data.item');
    this.#ensureInProgress(seq);
    const slot = this.#addSlot(structuredClone(item) as unknown as ResponseOutputItem, seq, type);
    if (slot.kind === 'other') this.#passThrough(json, seq, type);
  }

  #addSlot(item: ResponseOutputItem | ResponseOtherItem, seq: number, type: string): Slot {
    const response = this.#response!;
    const id = typeof item.id === 'string' ? item.id : item.type === 'function_call' ? (item as ResponseFunctionCall).call_id : undefined;
    if (id !== undefined && this.#slotsById.has(id))
      throw fault('lifecycle', 'an output item with this id was already added', seq, type, 'data.item.id');
    const kind = item.type === 'message' ? 'message' : isMappedToolItem(item.type) ? 'tool' : 'other';
    const slot: Slot = { outputIndex: this.#slots.length, id, item, kind, done: false };
    this.#slots.push(slot);
    if (id !== undefined) this.#slotsById.set(id, slot);
    response.output.push(item);
    const createdAt = response.created_at;
    if (kind === 'message') {
      if (typeof item.id !== 'string') throw fault('schema', 'a message item needs an id', seq, type, 'data.item.id');
      const message = item as ResponseOutputMessage;
      if (!Array.isArray(message.content)) message.content = [];
      slot.stepId = `step_${message.id}`;
      slot.opened = [];
      slot.annotations = [];
      const step = newStep(slot.stepId, this.#identity!, createdAt, { type: 'message_creation', message_creation: { message_id: message.id } });
      this.#deliver({ type: 'thread.run.step.created', data: step, seq });
      this.#deliver({ type: 'thread.run.step.in_progress', data: step, seq });
      const created = messageOfItem({ ...message, content: [] }, this.#identity!, createdAt, 'in_progress');
      this.#deliver({ type: 'thread.message.created', data: created, seq });
      this.#deliver({ type: 'thread.message.in_progress', data: created, seq });
      for (let index = 0; index < message.content.length; index++) this.#openPart(slot, index, seq);
    } else if (kind === 'tool') {
      if (item.type === 'function_call' && typeof (item as ResponseFunctionCall).call_id !== 'string') {
        throw fault('schema', 'a function_call item needs a call_id', seq, type, 'data.item.call_id');
      }
      if (item.type !== 'function_call' && typeof item.id !== 'string')
        throw fault('schema', 'a tool call item needs an id', seq, type, 'data.item.id');
      // Each tool item is a step of its own, as each run step is an item of the Responses API
      // (and as the Assistants API gives each hosted call its own step).
      slot.stepId = `step_${id ?? slot.outputIndex}`;
      const data = newStep(slot.stepId, this.#identity!, createdAt, { type: 'tool_calls', tool_calls: [] });
      this.#deliver({ type: 'thread.run.step.created', data, seq });
      this.#deliver({ type: 'thread.run.step.in_progress', data, seq });
      const call = toolCallOfItem(item)!;
      this.#stepDelta(slot.stepId, { index: 0, ...initialCall(call) } as ToolCallDelta, seq);
    }
    return slot;
  }

  #itemDone(json: JSONObject, seq: number, type: string): void {
    const slot = this.#slotAt(json, seq, type);
    const item = json['item'];
    if (!isRecord(item) || item['type'] !== slot.item.type)
      throw fault('schema', 'output_item.done must carry the item that was added, of the same type', seq, type, 'data.item.type');
    const done = structuredClone(item) as unknown as ResponseOutputItem | ResponseOtherItem;
    const doneId = typeof done.id === 'string' ? done.id : done.type === 'function_call' ? (done as ResponseFunctionCall).call_id : undefined;
    if (slot.id !== undefined && doneId !== undefined && doneId !== slot.id) {
      throw fault('unknown-id', 'output_item.done names another item than the one at its output_index', seq, type, 'data.item.id');
    }
    if (slot.kind === 'message') {
      const message = done as ResponseOutputMessage;
      this.#replaceItem(slot, done);
      this.#closeMessage(slot, message, message.status === 'incomplete' ? 'incomplete' : 'completed', 'completed', seq);
      return;
    }
    if (slot.kind === 'tool') {
      const before = slot.item;
      this.#replaceItem(slot, done);
      slot.done = true;
      this.#completeToolCall(slot, before, done, seq);
      this.#endToolStep(slot, 'completed', seq);
      return;
    }
    this.#replaceItem(slot, done);
    slot.done = true;
    this.#passThrough(json, seq, type);
  }

  #replaceItem(slot: Slot, item: ResponseOutputItem | ResponseOtherItem): void {
    const output = this.#response!.output;
    const position = output.indexOf(slot.item);
    if (position !== -1) output[position] = item;
    slot.item = item;
  }

  /** Whatever the done item has that its deltas did not say, as deltas; then the call is complete. */
  #completeToolCall(slot: Slot, before: ResponseOutputItem | ResponseOtherItem, done: ResponseOutputItem | ResponseOtherItem, seq: number): void {
    const stepId = slot.stepId!;
    // The step's one call.
    const index = 0;
    if (done.type === 'function_call') {
      const rest = suffix((before as ResponseFunctionCall).arguments ?? '', (done as ResponseFunctionCall).arguments ?? '');
      if (rest !== '') this.#stepDelta(stepId, { index, type: 'function', function: { arguments: rest } }, seq);
    } else if (done.type === 'code_interpreter_call') {
      const call = done as ResponseCodeInterpreterCall;
      const rest = suffix((before as ResponseCodeInterpreterCall).code ?? '', call.code ?? '');
      if (rest !== '') this.#stepDelta(stepId, { index, type: 'code_interpreter', code_interpreter: { input: rest } }, seq);
      const logs = (call.outputs ?? []).flatMap((output) => (output.type === 'logs' ? [output.logs] : []));
      if (logs.length > 0) {
        this.#stepDelta(
          stepId,
          {
            index,
            type: 'code_interpreter',
            code_interpreter: { outputs: logs.map((text, at) => ({ index: at, type: 'logs' as const, logs: text })) },
          },
          seq,
        );
      }
    }
    // file_search results go into the step's completed object, as the Assistants API sends them.
  }

  /** Ends a tool item's step (at its done, or with the response): completed, or failed or cancelled with it. */
  #endToolStep(slot: Slot, status: RunStatus, seq: number): void {
    if (slot.stepEnded === true) return;
    slot.stepEnded = true;
    slot.done = true;
    const stepStatus = status === 'failed' ? 'failed' : status === 'cancelled' ? 'cancelled' : 'completed';
    const call = toolCallOfItem(slot.item);
    const data: RunStep = {
      ...newStep(slot.stepId!, this.#identity!, this.#response!.created_at, { type: 'tool_calls', tool_calls: call === undefined ? [] : [call] }),
      status: stepStatus,
      ...endTimes(stepStatus, this.#response!.created_at),
    };
    this.#deliver({ type: `thread.run.step.${stepStatus}`, data, seq });
  }

  #closeMessage(slot: Slot, final: ResponseOutputMessage, messageStatus: Message['status'], runStatus: RunStatus, seq: number): void {
    if (slot.done) return;
    const accumulated = slot.item as ResponseOutputMessage;
    if (final !== accumulated) this.#replaceItem(slot, final);
    const content = Array.isArray(final.content) ? final.content : [];
    // Text the deltas did not carry (a server that sends only the done item) still arrives.
    for (let index = 0; index < content.length; index++) {
      const part = content[index]!;
      if (slot.opened![index] !== true) this.#openPart(slot, index, seq, part);
      else if (final !== accumulated) {
        const before = accumulated.content[index];
        const rest = suffix(partText(before), partText(part));
        if (rest !== '') this.#deliverPartText(slot, index, part.type, rest, seq);
      }
    }
    slot.done = true;
    const createdAt = this.#response!.created_at;
    const message = messageOfItem({ ...final, content }, this.#identity!, createdAt, messageStatus);
    this.#deliver({ type: messageStatus === 'completed' ? 'thread.message.completed' : 'thread.message.incomplete', data: message, seq });
    const stepStatus = runStatus === 'failed' ? 'failed' : runStatus === 'cancelled' ? 'cancelled' : 'completed';
    const step: RunStep = {
      ...newStep(slot.stepId!, this.#identity!, createdAt, { type: 'message_creation', message_creation: { message_id: final.id } }),
      status: stepStatus,
      ...endTimes(stepStatus, createdAt),
    };
    this.#deliver({ type: `thread.run.step.${stepStatus}`, data: step, seq });
  }

  // ── message content ─────────────────────────────────────────────────────────────────────

  #partAdded(json: JSONObject, seq: number, type: string): void {
    const slot = this.#slotOf(json, seq, type, 'message');
    const message = slot.item as ResponseOutputMessage;
    const contentIndex = indexField(json, 'content_index', seq, type);
    if (contentIndex !== message.content.length) {
      throw fault('invalid-index', `content_index ${contentIndex} is not the next part (${message.content.length})`, seq, type, 'data.content_index');
    }
    const part = json['part'];
    if (!isRecord(part) || typeof part['type'] !== 'string')
      throw fault('schema', 'content_part.added needs a part with a type', seq, type, 'data.part');
    const copy = structuredClone(part) as unknown as ResponseOutputText;
    if (copy.type === 'output_text') {
      if (typeof copy.text !== 'string') copy.text = '';
      if (!Array.isArray(copy.annotations)) copy.annotations = [];
    }
    message.content.push(copy);
    // A part opens its Assistants block with its first text; an empty one waits for it.
    if (partText(copy) !== '' || (copy.type === 'output_text' && copy.annotations.length > 0)) this.#openPart(slot, contentIndex, seq);
  }

  #partDone(json: JSONObject, seq: number, type: string): void {
    const { slot, part, contentIndex } = this.#partOf(json, seq, type);
    const done = json['part'];
    if (!isRecord(done)) throw fault('schema', 'content_part.done needs a part', seq, type, 'data.part');
    const rest = suffix(partText(part), partText(done as unknown as ResponseOutputText));
    (slot.item as ResponseOutputMessage).content[contentIndex] = structuredClone(done) as unknown as ResponseOutputText;
    if (slot.opened![contentIndex] !== true) this.#openPart(slot, contentIndex, seq);
    else if (rest !== '') this.#deliverPartText(slot, contentIndex, part.type, rest, seq);
  }

  #textDelta(json: JSONObject, seq: number, type: string): string {
    const { slot, part, contentIndex } = this.#partOf(json, seq, type);
    const delta = json['delta'];
    if (typeof delta !== 'string') throw fault('schema', 'a text delta needs a string delta', seq, type, 'data.delta');
    if (part.type !== 'output_text') throw fault('type-mismatch', `content part ${contentIndex} is not output_text`, seq, type, 'data.content_index');
    growString(part as unknown as JSONObject, 'text', delta);
    if (slot.opened![contentIndex] === true) this.#deliverPartText(slot, contentIndex, 'output_text', delta, seq);
    else this.#openPart(slot, contentIndex, seq);
    return part.text;
  }

  #textDone(json: JSONObject, seq: number, type: string): void {
    const { slot, part, contentIndex } = this.#partOf(json, seq, type);
    const text = json['text'];
    if (typeof text !== 'string') throw fault('schema', 'output_text.done needs the text', seq, type, 'data.text');
    if (part.type !== 'output_text') throw fault('type-mismatch', `content part ${contentIndex} is not output_text`, seq, type, 'data.content_index');
    const rest = suffix(part.text, text);
    part.text = text;
    if (slot.opened![contentIndex] !== true) this.#openPart(slot, contentIndex, seq);
    else if (rest !== '') this.#deliverPartText(slot, contentIndex, 'output_text', rest, seq);
  }

  #annotationAdded(json: JSONObject, seq: number, type: string): void {
    const { slot, part, contentIndex } = this.#partOf(json, seq, type);
    if (part.type !== 'output_text') throw fault('type-mismatch', `content part ${contentIndex} is not output_text`, seq, type, 'data.content_index');
    const annotation = json['annotation'];
    if (!isRecord(annotation) || typeof annotation['type'] !== 'string')
      throw fault('schema', 'annotation.added needs an annotation with a type', seq, type, 'data.annotation');
    const copy = structuredClone(annotation) as unknown as ResponseOutputText['annotations'][number];
    part.annotations.push(copy);
    if (slot.opened![contentIndex] !== true) {
      this.#openPart(slot, contentIndex, seq);
      return;
    }
    const mapped = annotationOf(copy, part.text);
    if (mapped === undefined) return;
    const index = slot.annotations![contentIndex] ?? 0;
    slot.annotations![contentIndex] = index + 1;
    this.#messageDelta(slot.id!, [{ index: contentIndex, type: 'text', text: { annotations: [{ index, ...mapped }] } }], seq);
  }

  #refusalDelta(json: JSONObject, seq: number, type: string): void {
    const { slot, part, contentIndex } = this.#partOf(json, seq, type);
    const delta = json['delta'];
    if (typeof delta !== 'string') throw fault('schema', 'a refusal delta needs a string delta', seq, type, 'data.delta');
    if (part.type !== 'refusal') throw fault('type-mismatch', `content part ${contentIndex} is not a refusal`, seq, type, 'data.content_index');
    part.refusal = (part.refusal ?? '') + delta;
    if (slot.opened![contentIndex] === true) this.#deliverPartText(slot, contentIndex, 'refusal', delta, seq);
    else this.#openPart(slot, contentIndex, seq);
  }

  #refusalDone(json: JSONObject, seq: number, type: string): void {
    const { slot, part, contentIndex } = this.#partOf(json, seq, type);
    const refusal = json['refusal'];
    if (typeof refusal !== 'string') throw fault('schema', 'refusal.done needs the refusal', seq, type, 'data.refusal');
    if (part.type !== 'refusal') throw fault('type-mismatch', `content part ${contentIndex} is not a refusal`, seq, type, 'data.content_index');
    const rest = suffix(part.refusal ?? '', refusal);
    part.refusal = refusal;
    if (slot.opened![contentIndex] !== true) this.#openPart(slot, contentIndex, seq);
    else if (rest !== '') this.#deliverPartText(slot, contentIndex, 'refusal', rest, seq);
  }

  /** Gives the Assistants message its block for part `index` (and every earlier one), with all it has so far. */
  #openPart(slot: Slot, index: number, seq: number, part?: ResponseOutputText | ResponseOutputRefusal): void {
    const content = (slot.item as ResponseOutputMessage).content;
    for (let earlier = 0; earlier < index; earlier++) if (slot.opened![earlier] !== true) this.#openPart(slot, earlier, seq);
    const current = part ?? content[index];
    slot.opened![index] = true;
    if (current === undefined) return;
    if (current.type === 'refusal') {
      this.#messageDelta(slot.id!, [{ index, type: 'refusal', refusal: current.refusal ?? '' }], seq);
      return;
    }
    if (current.type !== 'output_text') return;
    const annotations = [];
    for (const annotation of current.annotations ?? []) {
      const mapped = annotationOf(annotation, current.text);
      if (mapped !== undefined) annotations.push({ index: annotations.length, ...mapped });
    }
    slot.annotations![index] = annotations.length;
    this.#messageDelta(slot.id!, [{ index, type: 'text', text: { value: current.text, annotations } }], seq);
  }

  #deliverPartText(slot: Slot, index: number, type: string, text: string, seq: number): void {
    if (type === 'refusal') {
      this.#messageDelta(slot.id!, [{ index, type: 'refusal', refusal: text }], seq);
      return;
    }
    // Exactly the shape of a plain text fragment: the facade may batch it (see fastPath.ts).
    this.#deliver({
      type: 'thread.message.delta',
      data: { id: slot.id!, object: 'thread.message.delta', delta: { content: [{ index, type: 'text', text: { value: text } }] } },
      seq,
      fragment: true,
    });
  }

  #messageDelta(id: string, content: NonNullable<MessageDelta['content']>, seq: number): void {
    this.#deliver({ type: 'thread.message.delta', data: { id, object: 'thread.message.delta', delta: { content } }, seq });
  }

  // ── tool calls ──────────────────────────────────────────────────────────────────────────

  #argumentsDelta(json: JSONObject, seq: number, type: string): string {
    const slot = this.#slotOf(json, seq, type, 'tool');
    const call = slot.item as ResponseFunctionCall;
    if (call.type !== 'function_call')
      throw fault('type-mismatch', `the item at output_index ${slot.outputIndex} is not a function_call`, seq, type, 'data.item_id');
    const delta = json['delta'];
    if (typeof delta !== 'string') throw fault('schema', 'an arguments delta needs a string delta', seq, type, 'data.delta');
    if (typeof call.arguments !== 'string') call.arguments = '';
    growString(call as unknown as JSONObject, 'arguments', delta);
    this.#stepDelta(slot.stepId!, { index: 0, type: 'function', function: { arguments: delta } }, seq, true);
    return call.arguments;
  }

  #argumentsDone(json: JSONObject, seq: number, type: string): void {
    const slot = this.#slotOf(json, seq, type, 'tool');
    const call = slot.item as ResponseFunctionCall;
    const args = json['arguments'];
    if (call.type !== 'function_call' || typeof args !== 'string')
      throw fault('schema', 'function_call_arguments.done needs the arguments of a function_call', seq, type, 'data.arguments');
    const rest = suffix(call.arguments ?? '', args);
    call.arguments = args;
    if (rest !== '') this.#stepDelta(slot.stepId!, { index: 0, type: 'function', function: { arguments: rest } }, seq);
  }

  #codeDelta(json: JSONObject, seq: number, type: string): void {
    const slot = this.#slotOf(json, seq, type, 'tool');
    const call = slot.item as ResponseCodeInterpreterCall;
    const delta = json['delta'];
    if (call.type !== 'code_interpreter_call' || typeof delta !== 'string')
      throw fault('schema', 'a code delta needs a string delta for a code_interpreter_call', seq, type, 'data.delta');
    call.code = (call.code ?? '') + delta;
    this.#stepDelta(slot.stepId!, { index: 0, type: 'code_interpreter', code_interpreter: { input: delta } }, seq, true);
  }

  #codeDone(json: JSONObject, seq: number, type: string): void {
    const slot = this.#slotOf(json, seq, type, 'tool');
    const call = slot.item as ResponseCodeInterpreterCall;
    const code = json['code'];
    if (call.type !== 'code_interpreter_call' || typeof code !== 'string')
      throw fault('schema', 'code_interpreter_call_code.done needs the code', seq, type, 'data.code');
    const rest = suffix(call.code ?? '', code);
    call.code = code;
    if (rest !== '') this.#stepDelta(slot.stepId!, { index: 0, type: 'code_interpreter', code_interpreter: { input: rest } }, seq);
  }

  #stepDelta(stepId: string, call: ToolCallDelta, seq: number, fragment = false): void {
    const event: WireEvent = {
      type: 'thread.run.step.delta',
      data: { id: stepId, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } },
      seq,
    };
    if (fragment) event.fragment = true;
    this.#deliver(event);
  }

  // ── events without a counterpart ────────────────────────────────────────────────────────

  #passThrough(json: JSONObject, seq: number, type: string): void {
    // An item-scoped event must still name an item that exists.
    if (json['output_index'] !== undefined || json['item_id'] !== undefined) {
      if (!(type === 'response.output_item.added' && json['output_index'] === this.#slots.length - 1)) this.#slotAt(json, seq, type, true);
    }
    this.#deliver({ type: 'wire.unknown', event: type, data: json, seq });
  }

  // ── lookups ─────────────────────────────────────────────────────────────────────────────

  /** The item an event names by `item_id` and `output_index`, which must agree. */
  #slotAt(json: JSONObject, seq: number, type: string, allowDone = false): Slot {
    const itemId = json['item_id'];
    let byId: Slot | undefined;
    if (itemId !== undefined) {
      if (typeof itemId !== 'string') throw fault('schema', 'item_id must be a string', seq, type, 'data.item_id');
      byId = this.#slotsById.get(itemId);
      if (byId === undefined) throw fault('unknown-id', 'no output item with this item_id was added in this stream', seq, type, 'data.item_id');
    }
    const outputIndex = json['output_index'] === undefined && byId !== undefined ? byId.outputIndex : indexField(json, 'output_index', seq, type);
    const slot = this.#slots[outputIndex];
    if (slot === undefined) {
      throw fault(
        'invalid-index',
        `output_index ${outputIndex} names no item (the response has ${this.#slots.length})`,
        seq,
        type,
        'data.output_index',
      );
    }
    if (byId !== undefined && byId !== slot) {
      throw fault(
        'invalid-index',
        `output_index ${outputIndex} is not where this item_id was added (${byId.outputIndex})`,
        seq,
        type,
        'data.output_index',
      );
    }
    if (slot.done && !allowDone) throw fault('lifecycle', `the item at output_index ${outputIndex} is already done`, seq, type);
    return slot;
  }

  #slotOf(json: JSONObject, seq: number, type: string, kind: Slot['kind']): Slot {
    const slot = this.#slotAt(json, seq, type);
    if (slot.kind !== kind)
      throw fault('type-mismatch', `the item at output_index ${slot.outputIndex} is a ${slot.item.type}`, seq, type, 'data.output_index');
    return slot;
  }

  #partOf(json: JSONObject, seq: number, type: string): { slot: Slot; part: ResponseOutputText | ResponseOutputRefusal; contentIndex: number } {
    const slot = this.#slotOf(json, seq, type, 'message');
    const contentIndex = indexField(json, 'content_index', seq, type);
    const part = (slot.item as ResponseOutputMessage).content[contentIndex];
    if (part === undefined)
      throw fault('invalid-index', `content_index ${contentIndex} names no content part of its item`, seq, type, 'data.content_index');
    return { slot, part, contentIndex };
  }
}

/** The validated `response` of a lifecycle event. */
function responseOf(json: JSONObject, seq: number, type: string): ResponseObject {
  const response = json['response'];
  if (!isRecord(response)) throw fault('schema', `${type} needs a response object`, seq, type, 'data.response');
  if (typeof response['id'] !== 'string' || response['id'] === '') throw fault('schema', 'the response needs an id', seq, type, 'data.response.id');
  if (typeof response['status'] !== 'string') throw fault('schema', 'the response needs a status', seq, type, 'data.response.status');
  const output = response['output'];
  if (output !== undefined && output !== null && !Array.isArray(output))
    throw fault('schema', 'the response output must be an array', seq, type, 'data.response.output');
  const copy = structuredClone(response) as unknown as ResponseObject;
  if (!Array.isArray(copy.output)) copy.output = [];
  for (const [index, item] of copy.output.entries()) {
    if (!isRecord(item) || typeof item['type'] !== 'string')
      throw fault('schema', 'every output item needs a type', seq, type, `data.response.output[${index}].type`);
  }
  return copy;
}

function indexField(json: JSONObject, key: string, seq: number, type: string): number {
  const value = json[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw fault(
      value === undefined || typeof value !== 'number' ? 'schema' : 'invalid-index',
      `${key} must be a non-negative integer`,
      seq,
      type,
      `data.${key}`,
    );
  }
  return value;
}

function initialCall(call: ToolCall): Omit<ToolCallDelta, 'index'> {
  switch (call.type) {
    case 'function':
      return { id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments, output: null } };
    case 'code_interpreter':
      return { id: call.id, type: 'code_interpreter', code_interpreter: { input: call.code_interpreter.input, outputs: [] } };
    default:
      return { id: call.id, type: 'file_search', file_search: {} } as Omit<ToolCallDelta, 'index'>;
  }
}

function endTimes(status: 'completed' | 'failed' | 'cancelled', at: number): Partial<RunStep> {
  if (status === 'completed') return { completed_at: at };
  if (status === 'failed') return { failed_at: at, last_error: { code: 'server_error', message: 'the response failed' } };
  return { cancelled_at: at };
}

function partText(part: unknown): string {
  if (!isRecord(part)) return '';
  if (part['type'] === 'output_text' && typeof part['text'] === 'string') return part['text'];
  if (part['type'] === 'refusal' && typeof part['refusal'] === 'string') return part['refusal'];
  return '';
}

/** What `full` adds to `prefix`, when it continues it; '' otherwise. */
function suffix(prefix: string, full: string): string {
  return full.length > prefix.length && full.startsWith(prefix) ? full.slice(prefix.length) : '';
}

/**
 * The prefix of the events a client says something with inside a Responses stream (how it went
 * on after a cut, how it restarted a chain): not the server's, unnumbered, and delivered as
 * unknown events under their own names wherever they stand in the stream — before
 * `response.created` too.
 */
export const CLIENT_NOTICE_PREFIX = 'assistant_machines.';

/** The text of every `output_text` part, in order: the official SDK's `output_text`. */
export function outputText(output: ReadonlyArray<{ type: string }>): string {
  let text = '';
  for (const item of output) {
    if (item.type !== 'message') continue;
    for (const part of (item as ResponseOutputMessage).content ?? []) if (part.type === 'output_text') text += part.text;
  }
  return text;
}

function fault(kind: AssistantStreamErrorKind, what: string, seq: number, eventName: string | undefined, path?: string): AssistantStreamError {
  return new AssistantStreamError(kind, what, { eventIndex: seq, eventName: eventName === undefined ? undefined : safeEventName(eventName), path });
}

/** The events the API may leave unnumbered even in a numbered stream. */
function isUnnumberedKind(type: unknown): boolean {
  return type === 'error' || type === 'keepalive';
}

function isRecord(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
