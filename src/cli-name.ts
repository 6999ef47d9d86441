/**
 * How a hint names the CLI. A local install (`npm install -D replaykit`, the common case) puts no
 * `replaypack` on PATH, so a bare `replaypack listen stop` in a message does not run (issue 22):
 * hints say `npx replaypack ...` unless this process runs from a global install.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

export function cliName(): string {
  cached ??= isGlobalInstall(process.argv[1]) ? 'replaypack' : 'npx replaypack';
  return cached;
}

/**
 * A package installed for a project sits in `<project>/node_modules/`, next to the project's
 * package.json; a global one in `<prefix>/lib/node_modules/` (`%AppData%\npm\node_modules\` on
 * Windows), where there is none. A script outside any node_modules (a checkout) is not global.
 */
export function isGlobalInstall(script: string | undefined): boolean {
  if (!script) return false;
  let file: string;
  try {
    file = realpathSync(script);
  } catch {
    return false;
  }
  const parts = file.split(path.sep);
  const at = parts.lastIndexOf('node_modules');
  if (at <= 0) return false;
  const owner = parts.slice(0, at).join(path.sep) || path.sep;
  return !existsSync(path.join(owner, 'package.json'));
}
