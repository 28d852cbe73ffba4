import type { ConformanceCheck } from '../check.ts';
import { expect, isRecord } from '../http.ts';
import { outputText, responseOf, retrieveResponse, typeOf, wholeStream } from './api.ts';

/** The text deltas of each part add up to its `output_text.done`, its part, its item and the final response. */
export const responsesStreamText: ConformanceCheck = {
  id: 'responses-stream-text',
  protocol: 'responses',
  title: 'text deltas add up to output_text.done, content_part.done, output_item.done and the final text',
  async run(ctx, shared) {
    const events = await wholeStream(ctx, shared);
    const texts = new Map<string, string>();
    const key = (data: Record<string, unknown>) => `${String(data['item_id'])}:${String(data['content_index'])}`;
    let streamed = '';
    for (const [index, event] of events.entries()) {
      const data = event.data ?? {};
      const type = typeOf(event);
      const at = `event #${index} (${type})`;
      if (type === 'response.output_text.delta') {
        expect(typeof data['delta'] === 'string', `${at}: delta is not a string`);
        texts.set(key(data), (texts.get(key(data)) ?? '') + data['delta']);
        streamed += data['delta'];
      } else if (type === 'response.output_text.done') {
        expect(data['text'] === (texts.get(key(data)) ?? ''), `${at}: text ${JSON.stringify(data['text'])} is not the deltas' ${JSON.stringify(texts.get(key(data)) ?? '')}`);
      } else if (type === 'response.content_part.done') {
        const part = data['part'];
        if (isRecord(part) && part['type'] === 'output_text') expect(part['text'] === (texts.get(key(data)) ?? ''), `${at}: the part's text is not its deltas'`);
      } else if (type === 'response.output_item.done') {
        const item = data['item'];
        if (isRecord(item) && item['type'] === 'message') {
          const text = outputText({ output: [item] });
          const deltas = [...texts].filter(([id]) => id.startsWith(`${String(item['id'])}:`)).map(([, value]) => value).join('');
          expect(text === deltas, `${at}: the item's text is not its deltas'`);
        }
      }
    }
    expect(streamed.length > 0, 'the stream carried no output_text.delta');
    const final = responseOf(events.at(-1));
    expect(final !== undefined && outputText(final) === streamed, 'the terminal event\'s response text is not the deltas\'');
    const retrieved = await retrieveResponse(ctx, String(final['id']));
    expect(outputText(retrieved) === streamed, 'the retrieved response\'s text is not the deltas\'');
  },
};
