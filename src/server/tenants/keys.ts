import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** What a tenant's key may do per minute and at once; unset: the server's `limits`. */
export interface KeyLimits {
  /** Requests per minute (a token bucket holding a minute's worth). */
  requestsPerMinute?: number | undefined;
  /** Runs and responses created with this key that may be active at once. */
  concurrentRuns?: number | undefined;
}

/**
 * One API key of a tenant: the key itself (`key`, hashed at once and never kept) or its
 * SHA-256 (`sha256`, 64 hex digits: what a keys file holds), with the tenant whose namespace it
 * opens, a name for logs and metrics (never the key), and its own limits.
 */
export interface TenantKey {
  tenant: string;
  name?: string | undefined;
  key?: string | undefined;
  sha256?: string | undefined;
  limits?: KeyLimits | undefined;
}

/** A key the server recognised: whose it is, never what it is. */
export interface IdentifiedKey {
  readonly tenant: string;
  readonly name: string;
  readonly limits: KeyLimits;
}

/** A keys file or the `keys` option is malformed: says which entry (or line) and what is wrong, never a key. */
export class KeysError extends Error {
  override readonly name = 'KeysError';
  readonly kind = 'keys';
  constructor(
    /** Where: `keys.json: keys[2].sha256`, `keys.txt: line 4`, `options.keys[0]`. */
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

interface RingEntry extends IdentifiedKey {
  readonly digest: Buffer;
}

/**
 * The keys a server accepts, each opening one tenant's namespace. Only SHA-256 digests are
 * kept. {@link identify} hashes the presented key and compares its digest with every entry's
 * with `timingSafeEqual`, all of them every time: how long it takes says nothing about which
 * key (or how much of one) matched.
 *
 * @example
 * ```ts
 * const ring = KeyRing.from([{ tenant: 'acme', key: process.env.ACME_KEY }], 'options.keys');
 * ring.identify(token)?.tenant; // 'acme'
 * ```
 */
export class KeyRing {
  readonly #entries: readonly RingEntry[];

  private constructor(entries: readonly RingEntry[]) {
    this.#entries = entries;
  }

  /** Checks and hashes `keys`; `where` names them in errors (`options.keys`, a file name). */
  static from(keys: readonly TenantKey[], where: string): KeyRing {
    const entries: RingEntry[] = [];
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    for (const [index, key] of keys.entries()) {
      const at = `${where}[${index}]`;
      if (typeof key.tenant !== 'string' || !TENANT_NAME.test(key.tenant)) {
        throw new KeysError(`${at}.tenant`, 'a tenant is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
      }
      if ((key.key === undefined) === (key.sha256 === undefined)) throw new KeysError(at, 'give either key (the key itself) or sha256 (its SHA-256 in hex), not both');
      let digest: Buffer;
      if (key.key !== undefined) {
        if (typeof key.key !== 'string' || !/^[\x21-\x7e]+$/.test(key.key)) throw new KeysError(`${at}.key`, 'a key is visible ASCII characters only (no spaces), as an HTTP header carries it');
        digest = sha256(key.key);
      } else {
        const hex = String(key.sha256).toLowerCase().replace(/^sha256:/, '');
        if (!SHA256_HEX.test(hex)) throw new KeysError(`${at}.sha256`, 'expected the SHA-256 of the key as 64 hexadecimal digits');
        digest = Buffer.from(hex, 'hex');
      }
      const hex = digest.toString('hex');
      if (seen.has(hex)) throw new KeysError(at, 'the same key is listed twice (a key opens one tenant)');
      seen.add(hex);
      const count = (counts.get(key.tenant) ?? 0) + 1;
      counts.set(key.tenant, count);
      entries.push({ tenant: key.tenant, name: key.name ?? `${key.tenant}-${count}`, limits: checkLimits(key.limits, `${at}.limits`), digest });
    }
    return new KeyRing(entries);
  }

  /** The key `token` is, compared in constant time with every key; undefined for none. */
  identify(token: string): IdentifiedKey | undefined {
    const presented = sha256(token);
    let found: RingEntry | undefined;
    for (const entry of this.#entries) {
      // No early exit: every entry is compared, whichever matches.
      const match = timingSafeEqual(entry.digest, presented);
      found = match ? entry : found;
    }
    return found === undefined ? undefined : { tenant: found.tenant, name: found.name, limits: found.limits };
  }

  /** How many keys it holds. */
  get size(): number {
    return this.#entries.length;
  }

  /** The tenants its keys open. */
  get tenants(): string[] {
    return [...new Set(this.#entries.map((entry) => entry.tenant))];
  }
}

/**
 * The SHA-256 of a key in hex: what a keys file lists for it.
 *
 * @example `hashKey('sk-local-1') // '5f1b…' (64 hex digits)`
 */
export function hashKey(key: string): string {
  return sha256(key).toString('hex');
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function checkLimits(limits: KeyLimits | undefined, where: string): KeyLimits {
  if (limits === undefined) return {};
  for (const [name, value] of Object.entries(limits)) {
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 1)) throw new KeysError(`${where}.${name}`, 'expected a whole number of at least 1');
  }
  return { ...limits };
}

const FileLimits = z.strictObject({
  requests_per_minute: z.number().int().min(1).optional(),
  concurrent_runs: z.number().int().min(1).optional(),
});
const FileKey = z.strictObject({
  tenant: z.string(),
  name: z.string().min(1).max(128).optional(),
  sha256: z.string(),
  limits: FileLimits.optional(),
});
// The bare array is the `keys` list, so an error's path reads the same for both forms.
const KeysFile = z.preprocess((value) => (Array.isArray(value) ? { keys: value } : value), z.strictObject({ keys: z.array(FileKey) }));

/**
 * The keys of a keys file's text: JSON (`{"keys": [{"tenant", "sha256", "name"?, "limits"?}]}`
 * or the bare array), or lines of `TENANT SHA256 [NAME]` (`#` starts a comment). Keys are
 * listed by their SHA-256 only (`sha256:` in front is allowed). `file` names the file in errors.
 *
 * @example `parseKeysFile('acme sha256:5f1b… ci\n', 'keys.txt') // [{ tenant: 'acme', sha256: '5f1b…', name: 'ci' }]`
 */
export function parseKeysFile(text: string, file: string): TenantKey[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      throw new KeysError(file, `not valid JSON: ${(error as Error).message}`);
    }
    const parsed = KeysFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new KeysError(`${file}: ${issue.path.join('.') || '$'}`, issue.message);
    }
    const keys = parsed.data.keys;
    const entries = keys.map((key) => ({
      tenant: key.tenant,
      name: key.name,
      sha256: key.sha256,
      limits: key.limits === undefined ? undefined : { requestsPerMinute: key.limits.requests_per_minute, concurrentRuns: key.limits.concurrent_runs },
    }));
    KeyRing.from(entries, `${file}: keys`);
    return entries;
  }
  const entries: TenantKey[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const [tenant, sha256, name, ...rest] = line.split(/\s+/);
    if (sha256 === undefined || rest.length > 0) throw new KeysError(`${file}: line ${index + 1}`, 'expected TENANT SHA256 [NAME]');
    const entry: TenantKey = { tenant: tenant!, sha256, ...(name === undefined ? {} : { name }) };
    try {
      KeyRing.from([entry], 'entry');
    } catch (error) {
      throw new KeysError(`${file}: line ${index + 1}`, (error as KeysError).problem);
    }
    entries.push(entry);
  }
  KeyRing.from(entries, `${file}: keys`);
  return entries;
}

/**
 * Reads and checks a keys file (see {@link parseKeysFile}).
 *
 * @example `server.setKeys(await readKeysFile('/etc/assistant-machines/keys.json'))`
 */
export async function readKeysFile(path: string): Promise<TenantKey[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KeysError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseKeysFile(text, path);
}
