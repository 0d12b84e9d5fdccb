/**
 * Custom protocols instead of file://: `studio://app/…` serves the built window (so it gets a real
 * origin and the CSP header), `studio-asset://data/assets/…` and `…/exports/…` serve files of the data
 * dir's asset store (GLBs, thumbnails, images) and exports. Both resolve strictly inside their root folder.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { ASSET_SCHEME } from '../../src-shared/api/index';
import { contentSecurityPolicy } from '../host/security';
import { contentType, resolveAsset, resolveInside } from '../host/static-files';

export const APP_SCHEME = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** Must run before app 'ready'. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: ASSET_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

async function serveFile(file: string | null, headers: Record<string, string>): Promise<Response> {
  if (!file) return new Response('Not found', { status: 404 });
  const res = await net.fetch(pathToFileURL(file).toString());
  return new Response(res.body, { status: 200, headers: { ...headers, 'content-type': contentType(file) } });
}

export function handleProtocols(rendererDir: string, dataDir: string): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, (req) => {
    const url = new URL(req.url);
    if (url.host !== 'app') return new Response('Not found', { status: 404 });
    return serveFile(resolveInside(rendererDir, url.pathname.replace(/^\/+/, '') || 'index.html'), { 'content-security-policy': csp, 'x-content-type-options': 'nosniff' });
  });
  protocol.handle(ASSET_SCHEME, (req) => {
    const url = new URL(req.url);
    if (url.host !== 'data') return new Response('Not found', { status: 404 });
    return serveFile(resolveAsset(dataDir, url.pathname.replace(/^\/+/, '')), { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  });
}
