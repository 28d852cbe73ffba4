import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  APIError,
  AssistantStream,
  AssistantStreamError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  errorObjectOf,
  readErrorResponse,
  statusKind,
} from '../src/index.ts';

// One error envelope, read in one place: the client's error classes and the stream's
// `api-error` are both built from what readErrorResponse found.

test('readErrorResponse finds the envelope, keeps the status and headers, and no text when there is one', async () => {
  const body = { error: { message: 'No thread found', type: 'invalid_request_error', param: null, code: null } };
  const read = await readErrorResponse(Response.json(body, { status: 404, headers: { 'x-request-id': 'req_1' } }));
  assert.equal(read.error, body.error);
  assert.is(read.status, 404);
  assert.is(read.headers.get('x-request-id'), 'req_1');
  assert.is(read.text, JSON.stringify(body));
});

test('readErrorResponse: a body without an envelope is kept as text (cut at 500 characters), an empty one as nothing', async () => {
  const html = await readErrorResponse(new Response(`<html>${'x'.repeat(1000)}</html>`, { status: 502 }));
  assert.is(html.error, undefined);
  assert.is(html.text?.length, 500);
  const bare = await readErrorResponse(Response.json({ message: 'not an envelope' }, { status: 400 }));
  assert.is(bare.error, undefined, 'a response body must be an envelope');
  const empty = await readErrorResponse(new Response('', { status: 418 }));
  assert.equal([empty.error, empty.text], [undefined, undefined]);
});

test('errorObjectOf: envelope or bare object; a field of the wrong type is dropped, not the whole object', () => {
  assert.equal(errorObjectOf({ error: { message: 'm', code: 'c' } }), { message: 'm', code: 'c' });
  assert.equal(errorObjectOf({ message: 'bare', param: 'limit' }), { message: 'bare', param: 'limit' });
  assert.equal(errorObjectOf({ error: { message: 'm', code: 429, type: 'requests', param: null } }), { message: 'm', type: 'requests', param: null });
  assert.is(errorObjectOf({ error: { code: 'no_message' } }), undefined);
  assert.is(errorObjectOf('text'), undefined);
});

test('every status class takes its kind from the status, and generate picks the class', () => {
  const classes = [
    [400, BadRequestError, 'bad-request'],
    [401, AuthenticationError, 'authentication'],
    [403, PermissionDeniedError, 'permission-denied'],
    [404, NotFoundError, 'not-found'],
    [409, ConflictError, 'conflict'],
    [422, UnprocessableEntityError, 'unprocessable-entity'],
    [429, RateLimitError, 'rate-limit'],
    [503, InternalServerError, 'internal-server'],
    [418, APIError, 'api-error'],
  ] as const;
  for (const [status, errorClass, kind] of classes) {
    const error = APIError.generate(status, { error: { message: 'why', code: 'c' } }, undefined, new Headers());
    assert.is(error.constructor, errorClass, `status ${status}`);
    assert.is(error.kind, kind);
    assert.is(statusKind(status), kind);
    assert.is(error.name, errorClass.name);
    assert.is(error.message, `${status} why`);
    assert.is(new errorClass(status, undefined, 'direct', new Headers()).kind, kind, 'built directly, the class has the same kind');
  }
});

test('the stream reads the same envelope: a non-2xx response is an api-error with the error object', async () => {
  const body = { error: { message: 'Rate limited', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  const stream = AssistantStream.fromSSE(Response.json(body, { status: 429 }));
  const error = await stream.done().catch((thrown: unknown) => thrown);
  assert.instance(error, AssistantStreamError);
  const streamError = error as AssistantStreamError;
  assert.equal([streamError.kind, streamError.status, streamError.apiError], ['api-error', 429, body.error]);
  const clientError = APIError.fromResponse(await readErrorResponse(Response.json(body, { status: 429 })));
  assert.equal(clientError.error, streamError.apiError, 'the client and the stream see the same error object');
});

test.run();
