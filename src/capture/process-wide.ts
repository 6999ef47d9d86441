/**
 * What must exist once per process, whichever copy of replaykit asks: the socket interceptor and
 * the hooks beside it patch what the process shares (`node:net`, `node:tls`, `node:http2`).
 *
 * @note Jest evaluates every test file's modules afresh, in a vm context with its own
 * `globalThis`, and its `node:module` hands out a `createRequire` bound to that per-file
 * registry. Module-level state (and @mswjs/interceptors' singletons on `globalThis`) was therefore
 * per test file while the patches were per process: the second file patched the sockets again
 * and an `https://` request looped between the two at 100 % CPU (issue 22). Two ways out of the
 * sandbox are used, both plain Node: the `Module` class Jest hands out still extends Node's, so a
 * module object made from it loads through Node's own loader (one copy per process, cached by
 * Node); and `vm.runInThisContext` evaluates in the process's own realm, whose `globalThis` holds
 * the shared state.
 */
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

type NodeModule = InstanceType<typeof Module> & { paths: string[]; filename: string };
const nodeModulePaths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })
  ._nodeModulePaths;

/** Node's own `require`, also from inside a test runner's module sandbox. */
export function processRequire(id: string): unknown {
  const from = fileURLToPath(import.meta.url);
  const parent = new Module(from) as NodeModule;
  parent.filename = from;
  parent.paths = nodeModulePaths(path.dirname(from));
  return parent.require(id);
}

/** The process's own `globalThis` (not a test file's vm context). */
export function processGlobal(): Record<string | symbol, unknown> {
  return vm.runInThisContext('globalThis') as Record<string | symbol, unknown>;
}

/** The one value under `name` in this process, made by `create` on first use. */
export function processWide<T>(name: string, create: () => T): T {
  const global = processGlobal();
  const key = Symbol.for(`replaykit.${name}`);
  if (!(key in global)) global[key] = create();
  return global[key] as T;
}
