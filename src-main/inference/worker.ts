/**
 * Entry of the inference worker process. It owns the onnxruntime-node sessions (kept warm per pack and
 * provider between jobs), runs one job at a time, streams progress and honours cancellation between
 * network calls. Started by WorkerSupervisor through fork (host, tests) or utilityProcess (Electron).
 */
import { chooseProvider, detectProviderFacts, usableProviders } from './execution-provider';
import { closePacks, runWorkerJob } from './pipeline-runner';
import { ToWorkerSchema, type FromWorker, type WorkerJob } from './protocol';
import { connectToParent } from './worker-channel';

const channel = connectToParent();
const post = (m: FromWorker) => channel.post(m);
const facts = detectProviderFacts();
let current: { jobId: string; abort: AbortController } | null = null;

async function run(job: WorkerJob): Promise<void> {
  const abort = new AbortController();
  current = { jobId: job.jobId, abort };
  const choice = chooseProvider(job.executionProvider, facts);
  try {
    const result = await runWorkerJob(job, {
      provider: choice.provider,
      signal: abort.signal,
      onProgress: (event) => post({ type: 'progress', event: { ...event, jobId: job.jobId } }),
    });
    post({
      type: 'done', jobId: job.jobId, executionProvider: result.executionProvider,
      reports: result.reports, sceneReport: result.sceneReport, outputs: result.outputs,
      warnings: [...(choice.warning ? [choice.warning] : []), ...result.warnings],
    });
  } catch (err) {
    const e = err as Error;
    post({
      type: 'failed', jobId: job.jobId, cancelled: e?.name === 'AbortError' || abort.signal.aborted,
      message: e?.message || String(err), executionProvider: choice.provider,
    });
  } finally {
    current = null;
  }
}

channel.onMessage((raw) => {
  const parsed = ToWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    console.error('[worker] ignoring malformed message:', parsed.error.issues.map((i) => i.message).join('; '));
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'run') {
    if (current) {
      post({ type: 'failed', jobId: msg.job.jobId, cancelled: false, message: `The worker is busy with job ${current.jobId}; jobs must be queued by the main side.` });
      return;
    }
    void run(msg.job);
  } else if (msg.type === 'cancel') {
    if (current?.jobId === msg.jobId) current.abort.abort();
  } else {
    current?.abort.abort();
    void closePacks().finally(() => process.exit(0));
  }
});
channel.onDisconnect(() => process.exit(0));
post({ type: 'ready', pid: process.pid, providers: usableProviders(facts) });
