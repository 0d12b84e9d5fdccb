/**
 * Which URLs belong to the app, and which links may be handed to the user's browser. No Electron
 * imports: unit-tested under plain Node (test/app/origins.test.ts).
 *
 * Node's WHATWG URL (what the main process has) gives every non-special scheme the opaque origin
 * "null": `new URL('studio://app/index.html').origin === 'null'`. Comparing that with `studio://app`
 * refused every request of the packaged window, so origins of our own schemes are built here from the
 * scheme and host, the way Chromium does for the standard schemes registered in protocols.ts.
 */
import { ASSET_SCHEME } from '../../src-shared/api/index';

export const APP_SCHEME = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** Custom schemes registered as standard (protocols.ts): they have a real scheme://host origin in Chromium. */
const STANDARD_CUSTOM_SCHEMES = new Set([`${APP_SCHEME}:`, `${ASSET_SCHEME}:`]);

/** The origin of `url` as Chromium sees it, or null for unparsable, opaque (about:, data:, file:) and empty URLs. */
export function originOf(url: unknown): string | null {
  if (typeof url !== 'string' || url === '') return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.origin !== 'null') return u.origin;
  if (STANDARD_CUSTOM_SCHEMES.has(u.protocol) && u.host !== '') return `${u.protocol}//${u.host.toLowerCase()}`;
  return null;
}

/** True when `url` is a page of the app itself (studio://app, or the dev server while developing). */
export function isAppUrl(url: unknown, devServerUrl: string | undefined): boolean {
  const origin = originOf(url);
  if (origin === null) return false;
  if (origin === APP_ORIGIN) return true;
  return devServerUrl !== undefined && origin === originOf(devServerUrl);
}

/**
 * The link to open in the user's browser when the window tries to navigate to or open `url`: only
 * plain https links (no credentials in them), normalised; null for anything else (file:, javascript:,
 * custom app schemes, smb:, http:), which is simply refused.
 */
export function externalUrlToOpen(url: unknown): string | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || u.hostname === '' || u.username !== '' || u.password !== '') return null;
  return u.href;
}
