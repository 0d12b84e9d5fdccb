/** The machine a benchmark ran on, and how busy it was (absolute times on a loaded machine mislead). */
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineLoad {
  /** 1-minute load average when the timed part began. */
  average1m: number;
  cores: number;
}

export function machineInfo(): string {
  const c = cpus();
  return `${c[0]?.model ?? 'cpu'} × ${c.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}, Node ${process.version}`;
}

export function machineLoad(): MachineLoad {
  return { average1m: Number(loadavg()[0].toFixed(2)), cores: cpus().length };
}

/** A sentence for the tables; it warns when other work shared the CPU (load above half the cores). */
export function loadNote(l: MachineLoad | undefined): string {
  if (!l) return '';
  const base = `Load average ${l.average1m} on ${l.cores} cores when timing began`;
  return l.average1m > l.cores / 2
    ? `${base}: other work shared the CPU, so compare ratios within this run, not absolute times.`
    : `${base}.`;
}
