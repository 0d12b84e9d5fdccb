/** Automatic and overridden execution-provider choice on each platform, plus the facts of this machine. */
import { describe, expect, it } from 'vitest';
import { chooseProvider, detectProviderFacts, type ProviderFacts } from '../../src-main/inference/execution-provider';

const linuxBackends = [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }, { name: 'cuda', bundled: false }, { name: 'tensorrt', bundled: false }];
const facts = (over: Partial<ProviderFacts>): ProviderFacts => ({ platform: 'linux', backends: linuxBackends, nvidiaGpu: false, cudaLibraries: false, ...over });

describe('chooseProvider', () => {
  it('auto picks CUDA only on Linux with an NVIDIA GPU and the CUDA EP libraries', () => {
    expect(chooseProvider('auto', facts({ nvidiaGpu: true, cudaLibraries: true })).provider).toBe('cuda');
    const noLibs = chooseProvider('auto', facts({ nvidiaGpu: true, cudaLibraries: false }));
    expect(noLibs.provider).toBe('cpu');
    expect(noLibs.reason).toContain('npm run setup');
    expect(chooseProvider('auto', facts({})).reason).toContain('no NVIDIA GPU');
  });

  it('auto picks DirectML on Windows and CoreML on macOS when the build has them', () => {
    expect(chooseProvider('auto', facts({ platform: 'win32', backends: [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }] })).provider).toBe('dml');
    expect(chooseProvider('auto', facts({ platform: 'darwin', backends: [{ name: 'cpu', bundled: true }, { name: 'coreml', bundled: true }] })).provider).toBe('coreml');
    expect(chooseProvider('auto', facts({ platform: 'darwin', backends: [{ name: 'cpu', bundled: true }] })).provider).toBe('cpu');
  });

  it('honours an override that is usable and falls back to CPU with a warning otherwise', () => {
    expect(chooseProvider('tensorrt', facts({ nvidiaGpu: true, cudaLibraries: true }))).toMatchObject({ provider: 'tensorrt', reason: 'chosen in settings' });
    const fallback = chooseProvider('cuda', facts({}));
    expect(fallback.provider).toBe('cpu');
    expect(fallback.warning).toMatch(/"cuda".*not usable.*"Runs on"/);
    expect(chooseProvider('cpu', facts({ nvidiaGpu: true, cudaLibraries: true })).provider).toBe('cpu');
  });

  it('reads real facts from the installed onnxruntime-node', () => {
    const f = detectProviderFacts();
    expect(f.platform).toBe(process.platform);
    expect(f.backends.map((b) => b.name)).toContain('cpu');
    expect(['cpu', 'cuda', 'dml', 'coreml']).toContain(chooseProvider('auto', f).provider);
  });
});
