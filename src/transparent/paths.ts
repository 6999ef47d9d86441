/** Where transparent mode keeps its files, under the listener's state directory. */
import { join } from 'node:path';
import { resolveStateDir } from '../listener/state.ts';

export interface TransparentPaths {
  /** `<state>/transparent`: the CA, the journal. */
  dir: string;
  /** `<state>/transparent/listener`: the listener process's own state file and log. */
  listenerDir: string;
}

export function transparentPaths(stateDir?: string): TransparentPaths {
  const dir = join(resolveStateDir(stateDir), 'transparent');
  return { dir, listenerDir: join(dir, 'listener') };
}
