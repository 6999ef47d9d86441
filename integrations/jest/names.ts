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
  currentDescribeBlock?: Block | null;
}

const ROOT = 'ROOT_DESCRIBE_BLOCK';

const circus = (): CircusState | undefined => {
  const g = globalThis as Record<symbol, unknown>;
  const symbol = Object.getOwnPropertySymbols(g).find((s) => s.description === 'JEST_STATE_SYMBOL');
  return symbol ? (g[symbol] as CircusState | undefined) : undefined;
};

const chain = (from: Block | null | undefined): string[] => {
  const names: string[] = [];
  for (let block = from ?? undefined; block; block = block.parent) {
    if (block.name !== ROOT) names.unshift(block.name);
  }
  return names;
};

export function currentTestNames(): string[] {
  const g = globalThis as { expect?: { getState(): { currentTestName?: string } } };
  const names = chain(circus()?.currentlyRunningTest);
  if (names.length > 0) return names;
  return [g.expect?.getState().currentTestName ?? 'test'];
}

/** The suite chain a test declared now (at collection) will have, then its name. */
export function declaredTestNames(name: string): string[] {
  return [...chain(circus()?.currentDescribeBlock), name];
}
