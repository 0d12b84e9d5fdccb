/** Re-exports for the fault tests (one import site for the writers and the injectable fs type). */
export { ExportWriteError, writeFileAtomic, writeGlb, writeOutputs } from '../../src-main/export';
export type { WriteFs as WriteFsForTests } from '../../src-main/export/atomic-write';
