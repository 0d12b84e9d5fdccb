/**
 * Custom protocols instead of file://: `studio://app/…` serves the built window (so it gets a real
 * origin and the CSP header), `studio-asset://data/assets/…` and `…/exports/…` serve files of the data
 * dir's asset store (GLBs, thumbnails, images) and exports. What each request gets is decided in
 * protocol-paths.ts (no Electron there, unit-tested); this file only streams the file.
 */
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { ASSET_SCHEME } from '../../src-shared/api/index';
import { answerAppRequest, answerAssetRequest, type ProtocolAnswer } from './protocol-paths';
import { APP_SCHEME } from './origins';

export { APP_ORIGIN, APP_SCHEME } from './origins';

/** Must run before app 'ready'. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: ASSET_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

async function serve(answer: ProtocolAnswer, method: string): Promise<Response> {
  if (answer.status !== 200) return new Response(answer.message, { status: answer.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  try {
    const res = await net.fetch(pathToFileURL(answer.file).toString());
    // A file that vanished (or became unreadable) after the check is a 404, not a failed handler.
    if (!res.ok) return new Response('Not found', { status: 404 });
    return new Response(method === 'HEAD' ? null : res.body, { status: 200, headers: answer.headers });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

export function handleProtocols(rendererDir: string, dataDir: string): void {
  protocol.handle(APP_SCHEME, (req) => serve(answerAppRequest(req.url, req.method, rendererDir), req.method));
  protocol.handle(ASSET_SCHEME, (req) => serve(answerAssetRequest(req.url, req.method, dataDir, ASSET_SCHEME), req.method));
}
