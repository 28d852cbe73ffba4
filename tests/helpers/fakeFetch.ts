/** One call the fake fetch received. */
export interface FetchCall {
  method: string;
  url: string;
  headers: Headers;
  body: BodyInit | null | undefined;
}

/**
 * A fetch double: records every call and answers with `respond` (a Response, or a value
 * sent as 200 JSON).
 */
export function fakeFetch(respond: (call: FetchCall, n: number) => Response | unknown | Promise<Response | unknown>) {
  const calls: FetchCall[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const call: FetchCall = { method: init.method ?? 'GET', url: String(input), headers: new Headers(init.headers), body: init.body };
    calls.push(call);
    const answer = await respond(call, calls.length);
    return answer instanceof Response ? answer : Response.json(answer);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}
