// `npm test`: typecheck, lint, unit, e2e and tools tests, in that order. Every suite runs even when an
// earlier one failed (so one CI run shows every failure); the exit code is non-zero if any failed.
import { spawnSync } from 'node:child_process';

const steps = ['typecheck', 'lint', 'test:unit', 'test:e2e', 'test:tools'];
const results = [];
for (const step of steps) {
  const t0 = Date.now();
  console.log(`\n[test] ── npm run ${step} ──`);
  const r = spawnSync('npm', ['run', '--silent', step], { stdio: 'inherit' });
  results.push({ step, ok: r.status === 0, s: ((Date.now() - t0) / 1000).toFixed(0) });
}
console.log('\n[test] summary');
for (const r of results) console.log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.step.padEnd(11)} ${r.s} s`);
const failed = results.filter((r) => !r.ok);
if (failed.length) console.log(`[test] ${failed.length} suite(s) failed: ${failed.map((r) => r.step).join(', ')}`);
process.exit(failed.length ? 1 : 0);
