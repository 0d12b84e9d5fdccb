/**
 * One build for the three Electron targets. Main (with the inference worker and the plain-Node browser
 * host as extra entries, so `npm run serve` and the Electron app ship the same handlers), a CJS preload
 * (sandboxed preloads cannot load ESM or require anything but 'electron', so it is fully bundled), and
 * the React renderer rooted at src-renderer.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Native and heavy packages (onnxruntime-node, better-sqlite3, sharp, ws) stay in node_modules.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/app/main.ts'),
          worker: resolve(root, 'src-main/inference/worker.ts'),
          serve: resolve(root, 'src-main/host/serve.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
    // The viewer's mesh worker (src-renderer/src/viewer/glbWorker.ts) is a module worker, bundled as an ES
    // module to match its `type: 'module'`: served as a file of the window from studio://app in Electron
    // and from the browser host, under the window's CSP (worker-src 'self').
    worker: { format: 'es' },
    plugins: [react()],
  },
});
