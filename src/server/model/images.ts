import type { Message } from '../../wire/index.ts';
import type { Json } from './conversation.ts';
import type { ModelFile } from './model.ts';

type Detail = 'auto' | 'low' | 'high';

/** A message's content as a live model reads it: its text parts and its images, in order. */
type Piece = { type: 'text'; text: string } | { type: 'image'; url: string; detail: Detail };

// Image formats the model APIs take, by their first bytes.
const SIGNATURES: ReadonlyArray<[string, readonly number[]]> = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
];

/**
 * An uploaded image as a `data:` URL, which both Responses (`input_image.image_url`) and Chat
 * Completions (`image_url.url`) take, so the model API needs no copy of the file; undefined when
 * the bytes are no PNG, JPEG, GIF or WebP.
 *
 * @example `imageDataUrl({ filename: 'chart.png', bytes }) // 'data:image/png;base64,iVBORw0…'`
 */
export function imageDataUrl(file: ModelFile): string | undefined {
  const { bytes } = file;
  let type = SIGNATURES.find(([, signature]) => signature.every((byte, index) => bytes[index] === byte))?.[0];
  const webp = bytes.length > 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP';
  if (webp) type = 'image/webp';
  return type === undefined ? undefined : `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
}

function pieces(message: Message, readFile: ((fileId: string) => ModelFile | undefined) | undefined): Piece[] {
  const found: Piece[] = [];
  for (const part of message.content) {
    if (part.type === 'text') {
      if (part.text.value !== '') found.push({ type: 'text', text: part.text.value });
    } else if (part.type === 'image_url') {
      found.push({ type: 'image', url: part.image_url.url, detail: (part.image_url.detail ?? 'auto') as Detail });
    } else if (part.type === 'image_file') {
      const file = readFile?.(part.image_file.file_id);
      const url = file === undefined ? undefined : imageDataUrl(file);
      if (url !== undefined) found.push({ type: 'image', url, detail: (part.image_file.detail ?? 'auto') as Detail });
    }
  }
  return found;
}

/**
 * A message's content for the Responses API: its text as a string, or — when it has images —
 * `input_text` and `input_image` parts in order (an assistant's message stays text: the API
 * takes images from the user only). Undefined when there is nothing to send.
 *
 * @example `responsesContent(message, readFile) // [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', image_url: 'data:…', detail: 'auto' }]`
 */
export function responsesContent(message: Message, readFile?: (fileId: string) => ModelFile | undefined): string | Json[] | undefined {
  const found = pieces(message, readFile);
  if (message.role === 'assistant' || found.every((piece) => piece.type === 'text')) return joinedText(found);
  return found.map((piece) => (piece.type === 'text' ? { type: 'input_text', text: piece.text } : { type: 'input_image', image_url: piece.url, detail: piece.detail }));
}

/**
 * A message's content for Chat Completions: its text as a string, or — when it has images —
 * `text` and `image_url` parts in order (an assistant's message stays text). Undefined when
 * there is nothing to send.
 *
 * @example `chatContent(message, readFile) // [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:…', detail: 'auto' } }]`
 */
export function chatContent(message: Message, readFile?: (fileId: string) => ModelFile | undefined): string | Json[] | undefined {
  const found = pieces(message, readFile);
  if (message.role === 'assistant' || found.every((piece) => piece.type === 'text')) return joinedText(found);
  return found.map((piece) => (piece.type === 'text' ? { type: 'text', text: piece.text } : { type: 'image_url', image_url: { url: piece.url, detail: piece.detail } }));
}

function joinedText(found: readonly Piece[]): string | undefined {
  const text = found.map((piece) => (piece.type === 'text' ? piece.text : '')).filter((value) => value !== '').join('\n');
  return text === '' ? undefined : text;
}
