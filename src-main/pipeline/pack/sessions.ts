/**
 * The one home of ONNX Runtime session creation: execution-provider choice with CPU fallback.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../../src-shared/api/jobs';

/**
 * Whether this onnxruntime-node install ships the CUDA provider library (the npm package downloads it
 * only on request; without it, trying CUDA just fails and adds a fallback warning to every run).
 */
function cudaInstalled(): boolean {
  try {
    const dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-node'));
    const bin = join(dist, '..', 'bin');
    return readdirSync(bin).some((napi) =>
      existsSync(join(bin, napi, 'linux', process.arch, 'libonnxruntime_providers_cuda.so')),
    );
  } catch {
    return false;
  }
}

/** Providers to try for a request, best first; CPU is always the last resort. */
export function providerCandidates(requested: ExecutionProvider, platform = process.platform): string[] {
  if (requested === 'cpu') return ['cpu'];
  if (requested !== 'auto') return [requested, 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return cudaInstalled() ? ['cuda', 'cpu'] : ['cpu'];
}

export interface CreatedSession {
  session: ort.InferenceSession;
  /** Provider the session was created with. */
  provider: string;
  /** Why a preferred provider was skipped (empty when the first choice worked). */
  fallbacks: string[];
}

export interface SessionTuning {
  /**
   * ONNX Runtime intra-op threads (default: ORT's choice, one per physical core). 1 runs every kernel on
   * the calling thread: no pool, no spinning; the benchmark's CPU-time profile uses it so that a run's
   * CPU time measures its work even on a machine that other processes keep busy.
   */
  intraOpThreads?: number;
}

/** Create a session on the first provider of the candidates that works. */
export async function createSession(
  modelPath: string,
  requested: ExecutionProvider,
  tuning: SessionTuning = {},
): Promise<CreatedSession> {
  const fallbacks: string[] = [];
  for (const provider of providerCandidates(requested)) {
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(tuning.intraOpThreads ? { intraOpNumThreads: tuning.intraOpThreads } : {}),
      });
      return { session, provider, fallbacks };
    } catch (err) {
      if (provider === 'cpu') throw err;
      fallbacks.push(
        `execution provider "${provider}" unavailable (${(err as Error).message.split('\n')[0]}); fell back to the next one`,
      );
    }
  }
  throw new Error('unreachable: the CPU provider is always a candidate');
}
