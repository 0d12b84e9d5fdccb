/**
 * Which onnxruntime execution provider a job runs on. `auto` picks CUDA on Linux with an NVIDIA GPU and
 * the CUDA EP libraries installed, DirectML on Windows, CoreML on macOS, else CPU; an explicit choice in
 * the settings wins when this build of onnxruntime-node can use it, otherwise the job falls back to the
 * CPU with a warning (reported with the job, never silent).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ExecutionProvider } from '../../src-shared/api/jobs';

export interface ProviderFacts {
  platform: NodeJS.Platform;
  /** onnxruntime-node's `listSupportedBackends()`: names and whether their libraries ship in the package. */
  backends: { name: string; bundled: boolean }[];
  nvidiaGpu: boolean;
  /** libonnxruntime_providers_cuda is present beside the binding (installed by `npm run setup`). */
  cudaLibraries: boolean;
}

export interface ProviderChoice {
  /** Concrete provider name as onnxruntime-node spells it ('cpu', 'cuda', 'dml', 'coreml', …). */
  provider: Exclude<ExecutionProvider, 'auto'>;
  /** Why this one, for the job report and the settings panel. */
  reason: string;
  /** Set when the requested provider could not be used. */
  warning?: string;
}

/** Providers that can actually run here, best first (CPU always last). */
export function usableProviders(f: ProviderFacts): Exclude<ExecutionProvider, 'auto'>[] {
  const has = (n: string) => f.backends.some((b) => b.name === n);
  const out: Exclude<ExecutionProvider, 'auto'>[] = [];
  if (f.platform === 'linux' && f.nvidiaGpu && f.cudaLibraries && has('cuda')) out.push('cuda');
  if (f.platform === 'linux' && f.nvidiaGpu && f.cudaLibraries && has('tensorrt')) out.push('tensorrt');
  if (f.platform === 'win32' && has('dml')) out.push('dml');
  if (f.platform === 'darwin' && has('coreml')) out.push('coreml');
  out.push('cpu');
  return out;
}

export function chooseProvider(requested: ExecutionProvider, f: ProviderFacts): ProviderChoice {
  const usable = usableProviders(f);
  if (requested === 'auto') {
    // TensorRT needs engine builds per shape; auto mode prefers plain CUDA.
    const best = usable.find((p) => p !== 'tensorrt') ?? 'cpu';
    const reason = best === 'cpu'
      ? `auto: no GPU provider usable on ${f.platform}${f.platform === 'linux' ? (f.nvidiaGpu ? ' (CUDA EP libraries not installed: run npm run setup)' : ' (no NVIDIA GPU found)') : ''}`
      : `auto: ${best} on ${f.platform}`;
    return { provider: best, reason };
  }
  if (usable.includes(requested)) return { provider: requested, reason: 'chosen in settings' };
  return {
    provider: 'cpu',
    reason: 'fallback',
    warning: `Execution provider "${requested}" (from settings) is not usable here (usable: ${usable.join(', ')}); ran on cpu. Change it with "Runs on" beside the model pack.`,
  };
}

/** Facts about this machine. Only call where onnxruntime-node may be loaded (the worker). */
export function detectProviderFacts(): ProviderFacts {
  const require = createRequire(import.meta.url);
  const ort = require('onnxruntime-node') as { listSupportedBackends?: () => { name: string; bundled: boolean }[] };
  const backends = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  let cudaLibraries = false;
  try {
    const bindingDir = path.join(path.dirname(require.resolve('onnxruntime-node/package.json')), 'bin/napi-v6', process.platform, process.arch);
    cudaLibraries = fs.existsSync(path.join(bindingDir, 'libonnxruntime_providers_cuda.so'));
  } catch { /* package layout unknown: treat as absent */ }
  // The NVIDIA kernel driver exposes this file whenever a GPU is usable; cheaper than spawning nvidia-smi.
  const nvidiaGpu = process.platform === 'linux' && fs.existsSync('/proc/driver/nvidia/version');
  return { platform: process.platform, backends, nvidiaGpu, cudaLibraries };
}
