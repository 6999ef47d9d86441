/**
 * The Node.js lines replaykit runs on, checked where a user first reaches it (the CLI,
 * `record()`, `withReplayKit()`, the Vitest plugin and both runners' setup files), so an older
 * Node gets one sentence saying what to do instead of a crash deep in a dependency: on Node 20
 * `replaypack --help` died in execa (`TEXT_ENCODINGS.union is not a function`) and a Jest run in
 * the interceptor (`Promise.withResolvers is not a function`), both Node 22 APIs (issue 22).
 *
 * @note Entry points evaluate this module before anything else of theirs: keep it free of imports
 * that need Node 22 (errors.ts is plain classes).
 */
import { ExitCode, ReplayKitError } from './errors.ts';

/** 22.12: `require()` of ES modules without a flag (the CommonJS build loads the interceptor so). */
const MINIMUM = { major: 22, minor: 12 };

/** The message for an unsupported Node, or `null` when this one will do. */
export function nodeVersionProblem(version: string = process.versions.node): string | null {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MINIMUM.major || (major === MINIMUM.major && minor >= MINIMUM.minor)) return null;
  const needed = major < MINIMUM.major ? `${MINIMUM.major}` : `${MINIMUM.major}.${MINIMUM.minor}`;
  return `replaykit needs Node.js ${needed} or newer (found ${version}): install Node.js 22 or 24 (nvm install 22, or https://nodejs.org/en/download), or run this one command with it: npx -y -p node@22 -- node <your command>`;
}

/** Throws a `ReplayKitError` (exit status 2 in the CLI) on an unsupported Node. */
export function assertSupportedNode(version?: string): void {
  const problem = nodeVersionProblem(version);
  if (problem) throw new ReplayKitError('E_NODE_VERSION', problem, { exitCode: ExitCode.usage });
}
