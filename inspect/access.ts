import { hostname } from 'node:os';
import { isIP } from 'node:net';

/** Whether an interface is this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Whether an interface is every interface (`0.0.0.0`, `::`). */
export function isWildcard(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::' || bare === '';
}

/**
 * The check every request and WebSocket upgrade passes before its token is even read: its
 * `Host` must name the address the inspector serves (DNS rebinding: a page on evil.example that
 * resolves to 127.0.0.1 sends `Host: evil.example`), and an `Origin`, when a browser sends one,
 * the same. Returns why a request is refused, or undefined.
 *
 * Bound to loopback, the names are 127.0.0.1, localhost and [::1]; bound to one address, that
 * address too; bound to every interface (0.0.0.0), any IP address and this machine's host name.
 * `allowedHosts` adds names (a reverse proxy's, a tunnel's), with or without a port.
 *
 * @example `const refused = createAccessCheck({ host: '127.0.0.1', port: 4321 })({ host: 'evil.example:4321' });`
 */
export function createAccessCheck(options: { host: string; port: number; allowedHosts?: readonly string[] | undefined }): (headers: { host?: string | undefined; origin?: string | undefined }) => string | undefined {
  const { host, port } = options;
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (!isWildcard(host)) names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const extra = new Set((options.allowedHosts ?? []).map((name) => name.toLowerCase()));
  const served = `${[...names][0]}:${port}`;
  const allowed = (value: string): boolean => {
    const lower = value.toLowerCase();
    if (extra.has(lower)) return true;
    const match = /^(\[[0-9a-f:.]+\]|[^:]+):(\d+)$/.exec(lower);
    if (match === null) return false;
    const [, name, given] = match as unknown as [string, string, string];
    if (extra.has(name)) return true;
    if (Number(given) !== port) return false;
    if (names.has(name)) return true;
    // Every interface: an address typed by hand (no name to rebind) or this machine's name.
    return isWildcard(host) && (isIP(name.replace(/^\[|\]$/g, '')) !== 0 || name === hostname().toLowerCase());
  };
  return ({ host: hostHeader, origin }) => {
    if (hostHeader === undefined || !allowed(hostHeader)) {
      return `this inspector serves ${served}; a request for Host ${JSON.stringify(hostHeader ?? '')} is refused (a guard against DNS rebinding). Reach it by the address it printed, or allow the name (allowedHosts, --allow-host).`;
    }
    if (origin !== undefined) {
      const match = /^https?:\/\/([^/]+)$/i.exec(origin);
      if (match === null || !allowed(match[1]!)) return `a page from ${JSON.stringify(origin)} may not use this inspector (it serves ${served}); open the inspector's own URL instead.`;
    }
    return undefined;
  };
}
