import type { ConformanceCheck } from '../check.ts';
import { expect } from '../http.ts';
import { typeOf, wholeStream } from './api.ts';
import { EVENT_REQUIRED_KEYS } from './specKeys.ts';

/** Each streamed event carries every key the spec requires for its type. */
export const responsesStreamKeys: ConformanceCheck = {
  id: 'responses-stream-keys',
  protocol: 'responses',
  title: 'every streamed event has the keys the spec requires for its type',
  async run(ctx, shared) {
    const events = await wholeStream(ctx, shared);
    for (const [index, event] of events.entries()) {
      expect(event.data !== undefined, `event #${index} (${event.event ?? 'unnamed'}) is not a JSON object: ${event.raw.slice(0, 80)}`);
      const type = typeOf(event);
      expect(event.event === undefined || event.event === type, `event #${index} is named ${event.event} but its type is ${type}`);
      const required = EVENT_REQUIRED_KEYS[type];
      if (required === undefined) {
        ctx.warn(`event #${index} has a type the spec does not list: ${type}`);
        continue;
      }
      const missing = required.filter((key) => !(key in event.data!));
      expect(missing.length === 0, `event #${index} (${type}) lacks ${missing.join(', ')}`);
    }
  },
};
