/**
 * `getStudioApi()`: the one StudioApi the window uses. Under Electron the preload's bridge; in a browser
 * the WebSocket client to the host that served the page, authenticated with the token from the URL
 * (kept in sessionStorage and removed from the address bar, so it is not bookmarked or shared by accident).
 */
import type { StudioApi } from '../../../src-shared/api/index';
import { electronStudioApi, preloadBridge } from './electron-bridge';
import { WsStudioClient } from './ws-client';

export { ApiCallError } from './api-call-error';
export { WsStudioClient } from './ws-client';

const TOKEN_KEY = 'fastsam3d.token';
let instance: StudioApi | undefined;

function browserToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function getStudioApi(): StudioApi {
  if (!instance) {
    const bridge = preloadBridge();
    instance = bridge ? electronStudioApi(bridge) : new WsStudioClient({ origin: window.location.origin, token: browserToken() });
  }
  return instance;
}
