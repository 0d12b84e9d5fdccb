/**
 * End-to-end tests: the real window in Debian's Chromium through the browser host, and an Electron launch
 * test where the Electron binary exists. Screenshots and traces land in test-results/ (CI artefacts).
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/helpers/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // Two cores shared with the host and its worker: one test file at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 720 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
