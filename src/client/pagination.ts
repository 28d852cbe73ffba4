/** The list envelope: `{ object: 'list', data, first_id, last_id, has_more }`. */
export interface ListResponse<Item> {
  object?: string;
  data: Item[];
  first_id?: string | null;
  last_id?: string | null;
  has_more?: boolean;
}

/** Fetches the page after the item with this id. */
export type FetchPageAfter<Item extends { id?: string | null | undefined }> = (after: string) => Promise<Page<Item>>;

/**
 * One page of a list call. Iterating it with `for await` yields every item from this page on,
 * fetching the next pages (`after` = the last item's id) while `has_more` is true.
 *
 * @example
 * ```ts
 * const page = await client.beta.threads.messages.list(threadId, { limit: 20 });
 * console.log(page.data.length, page.has_more);
 * for await (const message of page) console.log(message.id);
 * ```
 */
export class Page<Item extends { id?: string | null | undefined }> implements AsyncIterable<Item> {
  readonly object: string | undefined;
  readonly data: Item[];
  readonly has_more: boolean;
  readonly first_id: string | null | undefined;
  readonly last_id: string | null | undefined;
  readonly #fetchAfter: FetchPageAfter<Item>;

  constructor(body: ListResponse<Item>, fetchAfter: FetchPageAfter<Item>) {
    this.object = body.object;
    this.data = body.data;
    this.has_more = body.has_more === true;
    this.first_id = body.first_id;
    this.last_id = body.last_id;
    this.#fetchAfter = fetchAfter;
  }

  /** Whether another page follows. @example `while (page.hasNextPage()) page = await page.getNextPage();` */
  hasNextPage(): boolean {
    return this.has_more && this.#cursor() !== undefined;
  }

  /**
   * The next page; throws if there is none (check {@link hasNextPage} first).
   *
   * @example `const next = await page.getNextPage();`
   */
  async getNextPage(): Promise<Page<Item>> {
    const cursor = this.#cursor();
    if (!this.has_more || cursor === undefined) throw new Error('there is no next page: check hasNextPage() first');
    return this.#fetchAfter(cursor);
  }

  /**
   * Every page from this one on.
   *
   * @example `for await (const page of firstPage.iterPages()) console.log(page.data.length);`
   */
  async *iterPages(): AsyncGenerator<Page<Item>, void, undefined> {
    let page: Page<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    for await (const page of this.iterPages()) yield* page.data;
  }

  #cursor(): string | undefined {
    const id = this.data[this.data.length - 1]?.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  }
}

/**
 * What a list call returns at once: await it for the first {@link Page}, or iterate it with
 * `for await` for every item across pages (as with the official SDK).
 *
 * @example
 * ```ts
 * for await (const run of client.beta.threads.runs.list(threadId)) console.log(run.status);
 * ```
 */
export class PagePromise<Item extends { id?: string | null | undefined }> implements PromiseLike<Page<Item>>, AsyncIterable<Item> {
  readonly #page: Promise<Page<Item>>;

  constructor(page: Promise<Page<Item>>) {
    this.#page = page;
  }

  /** The first page. @example `const page = await client.beta.assistants.list();` */
  // biome-ignore lint/suspicious/noThenProperty: a list call's result is awaited for its first page and iterated for all of them, as in the official SDK.
  then<Fulfilled = Page<Item>, Rejected = never>(
    onfulfilled?: ((page: Page<Item>) => Fulfilled | PromiseLike<Fulfilled>) | null,
    onrejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Fulfilled | Rejected> {
    return this.#page.then(onfulfilled, onrejected);
  }

  /** @example `client.files.list().catch((error) => console.error(error));` */
  catch<Rejected = never>(onrejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null): Promise<Page<Item> | Rejected> {
    return this.#page.catch(onrejected);
  }

  /** @example `client.files.list().finally(() => spinner.stop());` */
  finally(onfinally?: (() => void) | null): Promise<Page<Item>> {
    return this.#page.finally(onfinally);
  }

  /** Every item across pages. @example `for await (const file of client.files.list()) console.log(file.id);` */
  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    yield* await this.#page;
  }
}
