/** Transparent mode: capture provider traffic without routing env (pf on macOS, nftables on Linux). */
export type { CaInfo } from './ca.ts';
export { ensureCa, readCa } from './ca.ts';
export type {
  RollbackEntry,
  StartResult,
  StepReport,
  StopResult,
  TransparentOptions,
  TransparentState,
  TransparentStatus,
} from './controller.ts';
export {
  DEFAULT_EXEMPT_GID,
  defaultBackend,
  defaultHosts,
  startTransparent,
  stopTransparent,
  TransparentStartError,
  transparentStatus,
} from './controller.ts';
export type { DoctorCheck, DoctorOptions, DoctorResult } from './doctor.ts';
export { transparentDoctor } from './doctor.ts';
export type { Backend } from './journal.ts';
export type { Command, CommandResult, CommandRunner } from './runner.ts';
export { commandLine, systemRunner } from './runner.ts';
export { serveTransparent } from './serve.ts';
