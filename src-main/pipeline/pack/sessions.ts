/**
 * The one home of ONNX Runtime session creation: execution-provider choice with CPU fallback.
 */
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../../src-shared/api/jobs';

/** Providers to try for a request, best first; CPU is always the last resort. */
export function providerCandidates(requested: ExecutionProvider, platform = process.platform): string[] {
  if (requested === 'cpu') return ['cpu'];
  if (requested !== 'auto') return [requested, 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return process.env.FASTSAM3D_TRY_CUDA === '1' ? ['cuda', 'cpu'] : ['cpu'];
}

export interface CreatedSession {
  session: ort.InferenceSession;
  /** Provider the session was created with. */
  provider: string;
  /** Why a preferred provider was skipped (empty when the first choice worked). */
  fallbacks: string[];
}

/** Create a session on the first provider of the candidates that works. */
export async function createSession(modelPath: string, requested: ExecutionProvider): Promise<CreatedSession> {
  const fallbacks: string[] = [];
  for (const provider of providerCandidates(requested)) {
    try {
      const session = await ort.InferenceSession.create(modelPath, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
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
