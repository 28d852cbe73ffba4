const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new object id: the API's prefix and 24 random letters and digits, like the real ones.
 *
 * @example `newId('run_') // 'run_Xk3…'`
 */
export function newId(prefix: string): string {
  let id = prefix;
  for (const byte of crypto.getRandomValues(new Uint8Array(24))) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/** Now, in the API's unit: whole Unix seconds. @example `nowSeconds() // 1767225600` */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
