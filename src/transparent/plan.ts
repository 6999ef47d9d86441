/** What a backend hands the controller: the rule text and the ordered, undoable steps. */
import type { CaInfo } from './ca.ts';
import type { Backend, Undo } from './journal.ts';
import type { Command, CommandResult } from './runner.ts';

export interface PlanInput {
  addresses: string[];
  /** The TLS front's port on 127.0.0.1. */
  port: number;
  exemptGid: number;
  ca: CaInfo;
}

export interface PlannedStep {
  id: string;
  apply: Command;
  /** Journaled before `apply` runs. */
  undo: Undo[];
  /** The undo once `apply` has answered, when it depends on the answer (pf's enable token). */
  undoFrom?: (result: CommandResult) => Undo[];
}

export interface BackendPlan {
  backend: Backend;
  rules: string;
  /** `'listener'` marks where the listener process starts among the system changes. */
  steps: (PlannedStep | 'listener')[];
  /** Rules of ours that no journal describes: start refuses rather than guess whose they are. */
  conflict?: { command: Command; present: (result: CommandResult) => boolean; fix: string };
}
