/**
 * The leak gate: secrets planted where leaks happen in practice, and a check that none of them
 * reaches an artifact or a log. The recorder and listener suites add their end-to-end runs by
 * planting `PLANTED` (serve `PLANTED.sseSplit` split across SSE deltas, send `PLANTED.query` in a
 * query string, return `PLANTED.toolResult` from a tool, export `plantedEnv()` to the recording
 * process) and calling `findLeaks` on every file the run wrote.
 */
import { readFile } from 'node:fs/promises';

export const PLANTED = {
  /** Served by the fake upstream split across SSE deltas. */
  sseSplit: 'sk-proj-GATEsplitFAKE0123456789abcdefghijklmnopqrstuvwxyz',
  /** Sent by the client in a query string (`?key=`), Gemini style. */
  query: 'AIzaGATEqueryFAKE0123456789abcdefghijkl',
  /** Returned by a tool and carried back in the next request. */
  /** A GitHub token with a valid CRC32 (its last 6 characters). */
  toolResult: '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',
  /** Only known from the recording process's environment: no pattern matches its shape. */
  env: { name: 'RK_GATE_DEPLOY_TOKEN', value: 'gate-env-FAKE-value-9f8e7d' },
} as const;

export function plantedEnv(): Record<string, string> {
  return { [PLANTED.env.name]: PLANTED.env.value };
}

const SECRETS: [string, string][] = [
  ['sseSplit', PLANTED.sseSplit],
  ['query', PLANTED.query],
  ['toolResult', PLANTED.toolResult],
  ['env', PLANTED.env.value],
];

/** Any 12 consecutive characters of a planted secret count as a leak (a partial key still is). */
const CHUNK = 12;

export interface Leak {
  file: string;
  planted: string;
}

/**
 * Which planted secrets appear (whole or in part, raw or JSON-escaped) in which files. Returns
 * names, never the secret, so a failing assertion cannot print it either.
 */
export async function findLeaks(files: string[]): Promise<Leak[]> {
  const leaks: Leak[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const [planted, secret] of SECRETS) {
      for (let i = 0; i + CHUNK <= secret.length; i++) {
        if (text.includes(secret.slice(i, i + CHUNK))) {
          leaks.push({ file, planted });
          break;
        }
      }
    }
  }
  return leaks;
}
