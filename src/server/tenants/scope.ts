import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_TENANT, type TenantView } from '../store.ts';
import type { KeyLimits } from './keys.ts';

export { DEFAULT_TENANT } from '../store.ts';

/**
 * The tenant of a request not (yet) authenticated on a server with keys: no object is owned
 * by it (tenant names are never empty), so such a request sees nothing.
 */
const NOBODY = '';

/** What the server knows of the request it is answering; logs and metrics read it too. */
export interface RequestInfo {
  /** Its `x-request-id`. */
  readonly id: string;
  /** The tenant its key belongs to; undefined until the key is checked on a server with keys. */
  tenant: string | undefined;
  /** The name of the key it carried (never the key): rate limits count per key. */
  key: string | undefined;
  /** That key's own limits (see `KeyLimits`). */
  keyLimits: KeyLimits | undefined;
  /** The route that answered it (`/v1/threads/:thread_id`), for metrics. */
  route: string | undefined;
}

// One AsyncLocalStorage for every server of the process, holding each scope's request: on Node
// 20 every AsyncLocalStorage that has run is visited at each promise the process makes, forever
// (an instance is never disabled), so one per server made a process that had created hundreds of
// servers — a test suite — spend most of its CPU there (80× per await with 300). The store maps
// each scope to its request, so a request of one server never shows in another's scope, nested
// or not.
const requests = new AsyncLocalStorage<ReadonlyMap<RequestScope, RequestInfo>>();

/**
 * The request being answered, carried through everything it starts (its routes, the runs and
 * file processing it begins, their timers and awaits) by an `AsyncLocalStorage`, so that each
 * top-level collection of the store shows only the current tenant's objects without every
 * route passing a tenant along. Work outside any request (a restart restoring the state, the
 * writes another server committed, closing) sees every tenant's objects. Each server has its
 * own scope; all share the process's one storage.
 *
 * @example
 * ```ts
 * const scope = new RequestScope();
 * const store = new Store(scope);
 * scope.run({ ...newRequestInfo('req_1', true), tenant: 'acme' }, () => store.threads.values()); // acme's only
 * ```
 */
export class RequestScope implements TenantView {
  /** Runs `work` (and everything it starts) as part of the request `info`. */
  run<Result>(info: RequestInfo, work: () => Result): Result {
    const outer = requests.getStore();
    const inner = new Map(outer);
    inner.set(this, info);
    return requests.run(inner, work);
  }

  /** The request being answered, if any. */
  current(): RequestInfo | undefined {
    return requests.getStore()?.get(this);
  }

  /** The tenant whose objects the running code may see; undefined outside any request (all of them). */
  tenant(): string | undefined {
    const info = this.current();
    return info === undefined ? undefined : (info.tenant ?? NOBODY);
  }
}

/**
 * A request that carries no tenant yet: the open server's (`DEFAULT_TENANT`), or nobody's
 * until its key is checked.
 *
 * @example `scope.run(newRequestInfo(id, keysRequired), () => app.fetch(request))`
 */
export function newRequestInfo(id: string, keysRequired: boolean): RequestInfo {
  return { id, tenant: keysRequired ? undefined : DEFAULT_TENANT, key: undefined, keyLimits: undefined, route: undefined };
}
