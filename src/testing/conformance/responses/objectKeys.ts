import type { ConformanceCheck } from '../check.ts';
import { createResponse, expectKeys, QUESTION, retrieveResponse } from './api.ts';
import { RESPONSE_LIVE_KEYS, RESPONSE_REQUIRED_KEYS } from './specKeys.ts';

/** Every key the spec requires on a Response object, as created and as retrieved; the live API's other keys as warnings. */
export const responsesObjectKeys: ConformanceCheck = {
  id: 'responses-object-keys',
  protocol: 'responses',
  title: "the Response object has every key the spec requires (and the live API's, else a warning)",
  async run(ctx) {
    const created = await createResponse(ctx, { input: QUESTION });
    expectKeys(created, RESPONSE_REQUIRED_KEYS, 'the created response');
    const retrieved = await retrieveResponse(ctx, String(created['id']));
    expectKeys(retrieved, RESPONSE_REQUIRED_KEYS, 'the retrieved response');
    const missing = RESPONSE_LIVE_KEYS.filter((key) => !(key in retrieved));
    if (missing.length > 0) ctx.warn(`lacks keys the live API sends: ${missing.join(', ')}`);
  },
};
