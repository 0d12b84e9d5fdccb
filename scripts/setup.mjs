#!/usr/bin/env node
// One-command setup (node built-ins only). Works both on a workstation with internet and an NVIDIA GPU
// and on a machine that reaches only package registries: it detects what it can reach, installs what it
// can, and prints what it skipped and why.
//
//   npm run setup [-- --with-tools] [-- --reinstall] [-- --no-cuda]
//
// Steps: npm ci (install scripts of electron / onnxruntime-node are denied in package.json on purpose —
// both download from outside the registry) → Electron binary (github.com) → onnxruntime CUDA EP
// (api.nuget.org, Linux x64 with an NVIDIA GPU) → better-sqlite3 rebuilt for Electron's ABI into
// `.cache/electron-native/` (plain-Node tests keep the registry build) → tools/.venv via tools/setup.sh →
// the system packages npm test drives (.ci/apt-packages.txt: chromium, blender, …; --with-tools only).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const withTools = args.has('--with-tools');
const reinstall = args.has('--reinstall') || process.env.CI === 'true';
const noCuda = args.has('--no-cuda');
const summary = [];
const note = (status, what, why) => {
  summary.push({ status, what, why });
  console.log(`[setup] ${status.padEnd(7)} ${what}${why ? ` — ${why}` : ''}`);
};

function run(cmd, argv, opts = {}) {
  console.log(`[setup] $ ${[cmd, ...argv].join(' ')}`);
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } });
  return r.status === 0;
}

/** True when an HTTPS HEAD to `url` gets any HTTP answer within the timeout (proxies via env are not used by node:https). */
function reachable(url, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => { res.resume(); resolve(true); });
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Native modules without a reachable prebuilt binary (better-sqlite3 downloads from GitHub) compile with
 * node-gyp, which would download Node's headers from nodejs.org. Where the system has headers for this
 * exact Node (Debian/NodeSource install them under /usr/include/node), point node-gyp at them.
 */
function localNodeHeaders() {
  if (process.env.npm_config_nodedir) return null;
  for (const prefix of [path.dirname(path.dirname(process.execPath)), '/usr', '/usr/local']) {
    try {
      const h = fs.readFileSync(path.join(prefix, 'include/node/node_version.h'), 'utf8');
      const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`define NODE_${k}_VERSION (\\d+)`).exec(h)?.[1]).join('.');
      if (`v${v}` === process.version) return prefix;
    } catch { /* not here */ }
  }
  return null;
}

/** Runs electron's own installer (download from github.com or ELECTRON_MIRROR); true when the binary is there after. */
function installElectron() {
  const ok = run(process.execPath, ['node_modules/electron/install.js'], { env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '' } });
  return ok && electronBinary() !== null;
}

function nvidiaGpu() {
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
  return r.status === 0 && /GPU \d+:/.test(r.stdout) ? r.stdout.trim().split('\n')[0] : null;
}

// Read lazily: on a fresh clone node_modules appears only after step 1.
const electronVersionOf = () => JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version;

async function main() {
  const mirror = process.env.ELECTRON_MIRROR;
  const [githubOk, nugetOk] = await Promise.all([
    mirror ? reachable(mirror) : reachable('https://github.com/electron/electron/releases'),
    reachable('https://api.nuget.org/v3/index.json'),
  ]);
  const gpu = nvidiaGpu();
  console.log(`[setup] platform ${process.platform}/${process.arch}, node ${process.version}`);
  console.log(`[setup] Electron download host ${githubOk ? 'reachable' : 'NOT reachable'}; NuGet (onnxruntime CUDA) ${nugetOk ? 'reachable' : 'NOT reachable'}; NVIDIA GPU: ${gpu ?? 'none found (nvidia-smi)'}`);

  // 1. Dependencies from the npm registry. The two downloading postinstalls are denied in package.json
  //    (allowScripts) and also told to skip through their env switches; steps 2 and 3 run them on purpose.
  const lockMarker = path.join(root, 'node_modules/.package-lock.json');
  const upToDate = fs.existsSync(lockMarker) && fs.statSync(lockMarker).mtimeMs >= fs.statSync(path.join(root, 'package-lock.json')).mtimeMs;
  if (upToDate && !reinstall) {
    note('skipped', 'npm ci', 'node_modules is newer than package-lock.json (pass --reinstall to force)');
  } else {
    const env = {
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ONNXRUNTIME_NODE_INSTALL: 'skip',
      ...(localNodeHeaders() ? { npm_config_nodedir: localNodeHeaders() } : {}),
    };
    if (run('npm', ['ci', '--no-audit', '--no-fund'], { env })) {
      note('done', 'npm ci');
    } else if (run('npm', ['install', '--no-audit', '--no-fund'], { env })) {
      // npm 11's `ci` rejects a lock without every platform's optional packages (rollup's, here) that
      // `npm install` accepts unchanged; the installed versions are still the locked ones.
      note('done', 'npm install', '`npm ci` refused package-lock.json (see above); `npm install` used the same lock');
    } else {
      note('FAILED', 'npm install', 'see the npm output above');
      return finish(1);
    }
  }

  const electronVersion = electronVersionOf();
  // 2. Electron binary.
  if (electronBinary()) note('done', `Electron ${electronVersion} binary`, 'already installed');
  else if (!githubOk) note('skipped', 'Electron binary', 'its download host is not reachable; `npm start` will open the browser host instead');
  else if (installElectron()) note('done', `Electron ${electronVersion} binary`);
  else note('FAILED', 'Electron binary', 'download failed; the browser host (`npm run serve`) still works');

  // 3. onnxruntime CUDA execution provider (Linux x64 + NVIDIA GPU only; CPU ships inside the package).
  const ortBin = path.join(root, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
  if (process.platform !== 'linux' || process.arch !== 'x64') note('skipped', 'onnxruntime CUDA libraries', `not needed on ${process.platform}/${process.arch} (DirectML/CoreML/CPU ship with the package)`);
  else if (noCuda) note('skipped', 'onnxruntime CUDA libraries', '--no-cuda');
  else if (!gpu) note('skipped', 'onnxruntime CUDA libraries', 'no NVIDIA GPU found; inference runs on the CPU');
  else if (fs.existsSync(path.join(ortBin, 'libonnxruntime_providers_cuda.so'))) note('done', 'onnxruntime CUDA libraries', 'already installed');
  else if (!nugetOk) note('skipped', 'onnxruntime CUDA libraries', 'api.nuget.org is not reachable; inference runs on the CPU');
  else if (run(process.execPath, ['node_modules/onnxruntime-node/script/install.js', '--onnxruntime-node-install=cuda12'], { cwd: path.join(root, 'node_modules/onnxruntime-node') })) note('done', 'onnxruntime CUDA libraries');
  else note('FAILED', 'onnxruntime CUDA libraries', 'download failed; inference falls back to the CPU');

  // 4. better-sqlite3 for Electron's ABI, built beside (not over) the Node build so plain-Node tests keep working.
  const target = path.join(root, '.cache/electron-native/better_sqlite3.node');
  if (!electronBinary()) note('skipped', 'better-sqlite3 for Electron', 'no Electron binary');
  else if (fs.existsSync(target)) note('done', 'better-sqlite3 for Electron', 'already built (.cache/electron-native/)');
  else if (!githubOk) note('skipped', 'better-sqlite3 for Electron', 'Electron headers are not reachable');
  else {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bsql-electron-'));
    fs.cpSync(path.join(root, 'node_modules/better-sqlite3'), work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) });
    const gyp = path.join(root, 'node_modules/node-gyp/bin/node-gyp.js');
    const ok = run(process.execPath, [gyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'], { cwd: work });
    if (ok) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(work, 'build/Release/better_sqlite3.node'), target);
      note('done', 'better-sqlite3 for Electron', path.relative(root, target));
    } else note('FAILED', 'better-sqlite3 for Electron', 'node-gyp rebuild failed (a C++ toolchain is required)');
    fs.rmSync(work, { recursive: true, force: true });
  }

  // 5. Python tools (model building / training), only when asked.
  if (!withTools) note('skipped', 'tools/.venv (Python)', 'pass --with-tools to set it up');
  else if (!fs.existsSync(path.join(root, 'tools/setup.sh'))) note('FAILED', 'tools/.venv (Python)', 'tools/setup.sh is missing');
  else if (run('bash', ['tools/setup.sh'])) note('done', 'tools/.venv (Python)');
  else { note('FAILED', 'tools/.venv (Python)', 'tools/setup.sh failed, see above'); return finish(1); }

  // 6. The system packages `npm test` drives (chromium for e2e, blender for the import checks, Python's
  //    from tools/setup.sh), listed once in .ci/apt-packages.txt, only when asked.
  if (withTools && !installTestPackages()) return finish(1);

  return finish(0);
}

/** apt-get install what .ci/apt-packages.txt lists and dpkg does not have; false only when an install failed. */
function installTestPackages() {
  const what = 'system packages for npm test (.ci/apt-packages.txt)';
  const listed = fs.readFileSync(path.join(root, '.ci/apt-packages.txt'), 'utf8')
    .split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  if (spawnSync('sh', ['-c', 'command -v apt-get && command -v dpkg-query'], { stdio: 'ignore' }).status !== 0) {
    note('skipped', what, `not a Debian/Ubuntu system: install ${listed.join(', ')} (or their equivalents) yourself`);
    return true;
  }
  const missing = listed.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
  if (missing.length === 0) { note('done', what, 'all present'); return true; }
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!asRoot && !sudo) {
    note('skipped', what, `missing ${missing.join(', ')}: run \`sudo apt-get install -y ${missing.join(' ')}\` (needs root)`);
    return true;
  }
  const apt = (...argv) => {
    const [cmd, ...rest] = [...(asRoot ? [] : ['sudo', '-n']), 'apt-get', ...argv];
    return run(cmd, rest, { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  };
  if (apt('update', '-qq') && apt('install', '-y', '-qq', '--no-install-recommends', ...missing)) {
    note('done', what, `installed ${missing.join(', ')}`);
    return true;
  }
  note('FAILED', what, `apt-get could not install ${missing.join(', ')}, see above`);
  return false;
}

function finish(code) {
  console.log('\n[setup] summary');
  for (const s of summary) console.log(`  ${s.status.padEnd(7)} ${s.what}${s.why ? ` — ${s.why}` : ''}`);
  console.log(code === 0 ? '[setup] ready: `npm start` (app), `npm run serve` (browser), `npm test`.' : '[setup] setup did not finish.');
  process.exitCode = code;
}

main().catch((e) => { console.error('[setup] unexpected error:', e); process.exitCode = 1; });
