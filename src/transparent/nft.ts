/**
 * Linux backend: one `replaykit` table in the `ip` family whose nat output chain redirects
 * connections to the provider hosts' addresses on 443 to the TLS front on 127.0.0.1. The whole
 * table is loaded in one atomic `nft -f -` transaction and removed with one `delete table`, so
 * `nft list ruleset` after stop is exactly what it was before start.
 */

import type { BackendPlan, PlanInput } from './plan.ts';
import type { Command } from './runner.ts';

export const NFT_TABLE = 'replaykit';

export function nftRules(input: PlanInput): string {
  return [
    `table ip ${NFT_TABLE} {`,
    '\tchain output {',
    '\t\ttype nat hook output priority -100; policy accept;',
    // The listener's own connections to the real hosts go out untouched: it runs with this group.
    `\t\tmeta skgid ${input.exemptGid} return`,
    `\t\tip daddr { ${input.addresses.join(', ')} } tcp dport 443 redirect to :${input.port}`,
    '\t}',
    '}',
    '',
  ].join('\n');
}

export function nftPlan(input: PlanInput): BackendPlan {
  const rules = nftRules(input);
  const list: Command = { cmd: 'nft', args: ['list', 'table', 'ip', NFT_TABLE] };
  return {
    backend: 'nft',
    rules,
    conflict: {
      command: list,
      present: (result) => result.code === 0,
      fix: `nft delete table ip ${NFT_TABLE}`,
    },
    steps: [
      'listener',
      {
        id: 'nft-table',
        apply: { cmd: 'nft', args: ['-f', '-'], input: rules },
        undo: [
          {
            command: { cmd: 'nft', args: ['delete', 'table', 'ip', NFT_TABLE] },
            absent: 'No such file or directory',
          },
        ],
      },
    ],
  };
}
