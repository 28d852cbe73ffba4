import type { Message, MessageContent, Run, RunStep, ToolCall } from '../../wire/index.ts';
import type { NotCarried } from './report.ts';

/** An item of the conversation a thread becomes, with the id it is given (so a second copy is refused). */
export type PlannedItem = { id: string; type: string } & Record<string, unknown>;

/** What a thread is made of on the source: its messages and runs, oldest first, each run's steps in order. */
export interface SourceThread {
  threadId: string;
  messages: readonly Message[];
  runs: readonly Run[];
  stepsOf: ReadonlyMap<string, readonly RunStep[]>;
  /** File names by id, for the citations' `filename`. */
  filenames: ReadonlyMap<string, string>;
}

/**
 * A thread as the items of a conversation, in order: each message a `message` item (text, with
 * its citations; a user's image URL as `input_image`), and before the message a run wrote, the
 * function and file search calls its steps made before writing it (`function_call` and its
 * `function_call_output`, `file_search_call`). Every item's id comes from the source (the
 * message's, the call's), so a second copy of an item is refused by the conversation: that is
 * what makes a migration idempotent. What has no counterpart is listed, with why.
 *
 * @example `const { items, notCarried } = threadItems(source);`
 */
export function threadItems(source: SourceThread): { items: PlannedItem[]; notCarried: NotCarried[] } {
  const notCarried: NotCarried[] = [];
  const { threadId } = source;
  // Each message's run's tool calls made before it; those after a run's last message follow it.
  const before = new Map<string, PlannedItem[]>();
  const after = new Map<string, PlannedItem[]>();
  const trailing: PlannedItem[] = [];
  for (const run of source.runs) {
    let pending: PlannedItem[] = [];
    let lastMessage: string | undefined;
    for (const step of source.stepsOf.get(run.id) ?? []) {
      const details = step.step_details;
      if (details.type === 'message_creation') {
        const messageId = details.message_creation.message_id;
        before.set(messageId, [...(before.get(messageId) ?? []), ...pending]);
        pending = [];
        lastMessage = messageId;
        continue;
      }
      for (const call of details.tool_calls) pending.push(...callItems(call, { thread_id: threadId, run_id: run.id, step_id: step.id }, notCarried));
    }
    if (pending.length === 0) continue;
    const anchor = lastMessage ?? lastMessageBefore(source.messages, run.created_at);
    if (anchor === undefined) trailing.push(...pending);
    else after.set(anchor, [...(after.get(anchor) ?? []), ...pending]);
  }
  const items: PlannedItem[] = [];
  for (const message of source.messages) {
    items.push(...(before.get(message.id) ?? []));
    const item = messageItem(message, source.filenames, { thread_id: threadId, message_id: message.id }, notCarried);
    if (item !== undefined) items.push(item);
    items.push(...(after.get(message.id) ?? []));
  }
  items.push(...trailing);
  // An id twice (a source that reused one) would make the conversation refuse the whole batch.
  const seen = new Set<string>();
  const unique = items.filter((item) => {
    if (seen.has(item.id)) {
      notCarried.push({ thread_id: threadId, what: `a second ${item.type} with id ${item.id}`, why: 'a conversation holds an item id once' });
      return false;
    }
    seen.add(item.id);
    return true;
  });
  return { items: unique, notCarried };
}

type Where = Omit<NotCarried, 'what' | 'why'>;

function lastMessageBefore(messages: readonly Message[], createdAt: number | undefined): string | undefined {
  let anchor: string | undefined;
  for (const message of messages) if (createdAt === undefined || (message.created_at ?? 0) <= createdAt) anchor = message.id;
  return anchor;
}

function messageItem(message: Message, filenames: ReadonlyMap<string, string>, where: Where, notCarried: NotCarried[]): PlannedItem | undefined {
  const left = (what: string, why: string) => notCarried.push({ ...where, what, why });
  const content: Array<Record<string, unknown>> = [];
  for (const part of message.content) {
    const carried = message.role === 'user' ? userPart(part) : assistantPart(part, filenames);
    if (carried !== undefined) content.push(carried);
    else left(`${part.type} content`, whyNotCarried(part, message.role));
    if (message.role === 'user' && part.type === 'text' && part.text.annotations.length > 0) {
      left(`${part.text.annotations.length} annotation(s) on a user message`, "a user message's input_text has no annotations");
    }
  }
  for (const attachment of message.attachments ?? []) {
    left(
      `attachment ${attachment.file_id ?? '(no file)'}${attachment.tools?.length ? ` for ${attachment.tools.map((tool) => tool.type).join(', ')}` : ''}`,
      'a Responses message has no attachments: give the file to the tool (a vector store, a container) in the request instead; files are not copied',
    );
  }
  const metadata = Object.keys(message.metadata ?? {});
  if (metadata.length > 0) left(`message metadata (${metadata.join(', ')})`, 'conversation items have no metadata');
  if (content.length === 0) {
    left('the message', 'none of its content could be carried, and an item needs some');
    return undefined;
  }
  return {
    id: itemId('msg_', message.id),
    type: 'message',
    role: message.role,
    status: message.status === 'incomplete' ? 'incomplete' : 'completed',
    content,
  };
}

function userPart(part: MessageContent): Record<string, unknown> | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text.value };
    case 'image_url': {
      const image = (part as { image_url: { url: string; detail?: string } }).image_url;
      return { type: 'input_image', image_url: image.url, detail: image.detail ?? 'auto' };
    }
    default:
      return undefined;
  }
}

function assistantPart(part: MessageContent, filenames: ReadonlyMap<string, string>): Record<string, unknown> | undefined {
  switch (part.type) {
    case 'text':
      return { type: 'output_text', text: part.text.value, annotations: part.text.annotations.flatMap((annotation) => annotationOf(annotation, filenames)), logprobs: [] };
    case 'refusal':
      return { type: 'refusal', refusal: (part as { refusal: string }).refusal };
    default:
      return undefined;
  }
}

function whyNotCarried(part: MessageContent, role: string): string {
  if (part.type === 'image_file') return 'it names a file on the source backend, and files are not copied';
  if (part.type === 'image_url') return `an ${role} message's output has no images`;
  return 'it has no counterpart in a Responses message';
}

// A citation by range as the Responses API cites: by the index where it starts. The text keeps
// its marker (`【4:0†source】`), so the range is still there to read.
function annotationOf(annotation: { type: string } & Record<string, unknown>, filenames: ReadonlyMap<string, string>): Array<Record<string, unknown>> {
  const index = annotation['start_index'];
  if (annotation.type === 'file_citation') {
    const fileId = (annotation['file_citation'] as { file_id: string }).file_id;
    return [{ type: 'file_citation', file_id: fileId, filename: filenames.get(fileId) ?? '', index }];
  }
  if (annotation.type === 'file_path') return [{ type: 'file_path', file_id: (annotation['file_path'] as { file_id: string }).file_id, index }];
  return [];
}

function callItems(call: ToolCall, where: Where, notCarried: NotCarried[]): PlannedItem[] {
  switch (call.type) {
    case 'function': {
      const { name, arguments: args, output } = call.function;
      if (output == null) {
        notCarried.push({
          ...where,
          what: `function call ${call.id} (${name})`,
          why: 'its run ended before the output was submitted, and a call without its output would stop the conversation’s next response',
        });
        return [];
      }
      return [
        { id: itemId('fc_', call.id), type: 'function_call', call_id: call.id, name, arguments: args, status: 'completed' },
        { id: itemId('fco_', call.id), type: 'function_call_output', call_id: call.id, output, status: 'completed' },
      ];
    }
    case 'file_search': {
      const results = call.file_search.results ?? [];
      return [
        {
          id: itemId('fs_', call.id),
          type: 'file_search_call',
          status: 'completed',
          queries: [],
          results: results.map((result) => ({
            file_id: result.file_id,
            filename: result.file_name ?? '',
            score: result.score ?? 0,
            text: (result.content ?? []).map((part) => part.text ?? '').join(''),
            attributes: {},
          })),
        },
      ];
    }
    case 'code_interpreter':
      notCarried.push({
        ...where,
        what: `code interpreter call ${call.id}`,
        why: 'a Responses code_interpreter_call item names the container it ran in, which an Assistants run does not have; its result is in the answer that follows',
      });
      return [];
    default:
      notCarried.push({ ...where, what: `tool call of type ${JSON.stringify((call as { type: string }).type)}`, why: 'it has no Responses counterpart this migration knows' });
      return [];
  }
}

/**
 * The id an item gets from the source object it comes from: the same on every run, so a
 * conversation refuses a second copy. A source id that already has the prefix is kept.
 *
 * @example `itemId('msg_', 'msg_abc') // 'msg_abc'; itemId('fc_', 'call_1') // 'fc_call_1'`
 */
export function itemId(prefix: string, sourceId: string): string {
  return sourceId.startsWith(prefix) ? sourceId : `${prefix}${sourceId}`;
}
