/**
 * Debian's Chromium for every browser test (never a downloaded browser), with the flags from
 * ../shared/design/environment.md. WebGL runs on SwiftShader (no GPU on CI).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Launch options for pages that draw with WebGL (the viewer): SwiftShader through ANGLE, since
 * --disable-gpu would turn WebGL off. */
export const WEBGL_LAUNCH_OPTIONS = {
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'],
};
