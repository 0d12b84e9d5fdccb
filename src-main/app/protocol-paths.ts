/**
 * What the custom protocols answer for a request URL, decided without Electron (unit-tested under plain
 * Node in test/app/protocol-paths.test.ts): the file to serve with its headers, or the refusal status.
 *
 * `studio://app/<path>` serves the built window from `rendererDir`; `studio-asset://data/<path>` serves
 * files of the data dir's asset store and exports only (resolveAsset). Before the shared resolver
 * (static-files.ts: no `..`, no absolute path, real path inside the root) a request path is refused when
 * it holds what only an attack needs: a backslash or colon (Windows separators, drive letters `C:`,
 * NTFS streams `x.glb:stream`), control characters, `.`/`..` segments (also percent-encoded, `%2e%2e`,
 * `..%2f`), or a segment ending in a dot or space (Windows drops those, so `..` + ` ` would be `..`).
 */
import { contentSecurityPolicy } from '../host/security';
import { contentType, resolveAsset, resolveInside } from '../host/static-files';
import { APP_SCHEME } from './origins';

export const ASSET_HOST = 'data';
export const APP_HOST = 'app';

export type ProtocolAnswer =
  | { status: 200; file: string; headers: Record<string, string> }
  | { status: 400 | 404 | 405; message: string };

const notFound: ProtocolAnswer = { status: 404, message: 'Not found' };

/** The window's CSP, the same for every request: built once, not per file served. */
const APP_CSP = contentSecurityPolicy();

/**
 * The decoded relative path of a request (no leading slash), or null when it is malformed or holds
 * anything a legitimate app or asset path never does. An empty path stays empty.
 */
export function cleanRequestPath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname.replace(/^\/+/, ''));
  } catch {
    return null; // a lone % or broken UTF-8
  }
  if (decoded === '') return '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\:]/.test(decoded)) return null;
  for (const seg of decoded.split('/')) {
    if (seg === '' || seg === '.' || seg === '..' || /[. ]$/.test(seg)) return null;
  }
  return decoded;
}

/** Parses the request and checks scheme, host and method; the relative path on success. */
function requestPath(reqUrl: string, method: string, scheme: string, host: string): { rel: string } | ProtocolAnswer {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, message: 'Method not allowed' };
  let url: URL;
  try {
    url = new URL(reqUrl);
  } catch {
    return { status: 400, message: 'Bad request' };
  }
  if (url.protocol !== `${scheme}:` || url.host.toLowerCase() !== host || url.username || url.password || url.port) return notFound;
  const rel = cleanRequestPath(url.pathname);
  // The shared resolvers decode once more, as they do for the browser host's raw request paths: hand
  // them the checked path encoded again, so a file name holding `%` is found and not decoded twice.
  return rel === null ? notFound : { rel: rel.split('/').map(encodeURIComponent).join('/') };
}

/** Answer for `studio://app/…`: files of the built window, with the window's CSP. */
export function answerAppRequest(reqUrl: string, method: string, rendererDir: string): ProtocolAnswer {
  const r = requestPath(reqUrl, method, APP_SCHEME, APP_HOST);
  if (!('rel' in r)) return r;
  const file = resolveInside(rendererDir, r.rel || 'index.html');
  if (!file) return notFound;
  return {
    status: 200, file,
    headers: { 'content-type': contentType(file), 'content-security-policy': APP_CSP, 'x-content-type-options': 'nosniff' },
  };
}

/**
 * Answer for `studio-asset://data/assets/…` and `…/exports/…`. The asset store is data, never a page:
 * the response carries a CSP that forbids everything and sandboxes it, so an .html or .svg file that
 * found its way into the data dir cannot run script with the asset origin if it is ever opened.
 */
export function answerAssetRequest(reqUrl: string, method: string, dataDir: string, assetScheme: string): ProtocolAnswer {
  const r = requestPath(reqUrl, method, assetScheme, ASSET_HOST);
  if (!('rel' in r)) return r;
  const file = r.rel ? resolveAsset(dataDir, r.rel) : null;
  if (!file) return notFound;
  return {
    status: 200, file,
    headers: {
      'content-type': contentType(file), 'x-content-type-options': 'nosniff', 'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; sandbox",
    },
  };
}
