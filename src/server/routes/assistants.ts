import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { newId, nowSeconds } from '../ids.ts';
import type { Assistant } from '../objects.ts';
import { paginate, parseListQuery } from '../pagination.ts';
import { CreateAssistantRequest, ModifyAssistantRequest } from '../../wire/requests.ts';
import { resolveToolResources } from '../toolResources.ts';
import { readJsonBody } from '../validation.ts';

/** `/assistants`: create, list, retrieve, modify, delete. */
export function assistantRoutes(context: ServerContext): Hono {
  const { assistants } = context.store;
  return new Hono()
    .post('/', async (c) => {
      const body = await readJsonBody(c, CreateAssistantRequest);
      const toolResources = resolveToolResources(context, body.tool_resources);
      const assistant: Assistant = {
        id: newId('asst_'),
        object: 'assistant',
        created_at: nowSeconds(),
        name: body.name ?? null,
        description: body.description ?? null,
        model: body.model,
        instructions: body.instructions ?? null,
        tools: body.tools ?? [],
        tool_resources: toolResources ?? {},
        metadata: body.metadata ?? {},
        temperature: body.temperature ?? 1,
        top_p: body.top_p ?? 1,
        response_format: body.response_format ?? 'auto',
        reasoning_effort: body.reasoning_effort ?? null,
      };
      return c.json(assistants.set(assistant.id, assistant));
    })
    .get('/', (c) => c.json(paginate(assistants.values(), (assistant) => assistant.id, parseListQuery(c.req.query()))))
    .get('/:assistant_id', (c) => c.json(assistants.require(c.req.param('assistant_id'))))
    .post('/:assistant_id', async (c) => {
      const assistant = assistants.require(c.req.param('assistant_id'));
      const body = await readJsonBody(c, ModifyAssistantRequest);
      const toolResources = body.tool_resources === undefined ? assistant.tool_resources : resolveToolResources(context, body.tool_resources);
      const { tool_resources: _ignored, ...fields } = body;
      const updated: Assistant = { ...assistant };
      for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(updated, { [key]: value });
      updated.tool_resources = toolResources;
      return c.json(assistants.set(assistant.id, updated));
    })
    .delete('/:assistant_id', (c) => {
      const { id } = assistants.require(c.req.param('assistant_id'));
      assistants.delete(id);
      return c.json({ id, object: 'assistant.deleted', deleted: true });
    });
}
