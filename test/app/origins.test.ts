/**
 * Which URLs count as the app (IPC sender check, navigation guards) and which links go to the browser.
 * Node's URL gives custom schemes the origin "null", so the packaged window (studio://app) must still
 * be recognised, while look-alikes, the asset scheme and opaque URLs are not.
 */
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, externalUrlToOpen, isAppUrl, originOf } from '../../src-main/app/origins';

const DEV = 'http://localhost:5173';

describe('originOf', () => {
  it('gives the custom standard schemes their scheme://host origin (Node says "null")', () => {
    expect(new URL('studio://app/index.html').origin).toBe('null'); // why originOf exists
    expect(originOf('studio://app/index.html')).toBe(APP_ORIGIN);
    expect(originOf('studio://APP/x')).toBe(APP_ORIGIN);
    expect(originOf('studio-asset://data/assets/a.glb')).toBe('studio-asset://data');
    expect(originOf('http://localhost:5173/src/main.tsx')).toBe(DEV);
  });

  it.each(['', 'about:blank', 'data:text/html,x', 'file:///etc/passwd', 'not a url', 'studio:', 'javascript:alert(1)', 42, undefined])(
    'has no origin for %j', (url) => {
      expect(originOf(url)).toBeNull();
    });
});

describe('isAppUrl', () => {
  it('accepts pages of the packaged app', () => {
    expect(isAppUrl('studio://app/index.html', undefined)).toBe(true);
    expect(isAppUrl('studio://app/', undefined)).toBe(true);
    expect(isAppUrl('studio://app/index.html#/library', undefined)).toBe(true);
  });

  it.each([
    ['the asset scheme', 'studio-asset://data/exports/run/x.html'],
    ['another host of the app scheme', 'studio://app.evil/index.html'],
    ['a user-info look-alike', 'https://studio://app@evil.example/'],
    ['a web page', 'https://example.com/'],
    ['a file', 'file:///home/u/index.html'],
    ['about:blank (a frame still loading)', 'about:blank'],
    ['an empty URL (a frame without a document)', ''],
    ['the dev server when not developing', `${DEV}/`],
  ])('refuses %s', (_what, url) => {
    expect(isAppUrl(url, undefined)).toBe(false);
  });

  it('accepts the dev server only while developing, and only its origin', () => {
    expect(isAppUrl(`${DEV}/index.html`, DEV)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', DEV)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', DEV)).toBe(false);
    expect(isAppUrl('studio://app/index.html', DEV)).toBe(true);
  });
});

describe('externalUrlToOpen', () => {
  it('passes plain https links, normalised', () => {
    expect(externalUrlToOpen('https://github.com/facebookresearch/sam-3d-objects')).toBe('https://github.com/facebookresearch/sam-3d-objects');
    expect(externalUrlToOpen('HTTPS://Example.COM')).toBe('https://example.com/');
  });

  it.each([
    'http://example.com/', 'file:///C:/Windows/System32/calc.exe', 'smb://host/share/x.exe', 'javascript:alert(1)',
    'studio://app/index.html', 'studio-asset://data/exports/x.glb', 'ms-settings:privacy', 'https://user:pw@example.com/',
    'not a url', `https://example.com/${'a'.repeat(3000)}`,
  ])('refuses %s', (url) => {
    expect(externalUrlToOpen(url)).toBeNull();
  });
});
