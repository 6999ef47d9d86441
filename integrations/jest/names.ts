/**
 * The current test's suite chain in Jest. `expect.getState().currentTestName` joins the names
 * with spaces, which loses where one ends; jest-circus keeps the running test (with its parents)
 * in its state object on the global, under a symbol described `JEST_STATE_SYMBOL` (Jest 29, 30).
 */
interface Block {
  name: string;
  parent?: Block;
}
interface CircusState {
  currentlyRunningTest?: Block | null;
}

const ROOT = 'ROOT_DESCRIBE_BLOCK';

export function currentTestNames(): string[] {
  const g = globalThis as Record<symbol, unknown> & {
    expect?: { getState(): { currentTestName?: string } };
  };
  const symbol = Object.getOwnPropertySymbols(g).find((s) => s.description === 'JEST_STATE_SYMBOL');
  const state = symbol ? (g[symbol] as CircusState | undefined) : undefined;
  const names: string[] = [];
  for (let block = state?.currentlyRunningTest ?? undefined; block; block = block.parent) {
    if (block.name !== ROOT) names.unshift(block.name);
  }
  if (names.length > 0) return names;
  return [g.expect?.getState().currentTestName ?? 'test'];
}
