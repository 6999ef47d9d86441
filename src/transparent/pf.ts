/**
 * macOS backend. pf only evaluates an anchor the main ruleset names, and a rule for traffic this
 * machine originates needs two parts: `route-to lo0` sends provider-bound packets to the loopback
 * interface, where the `rdr` rule hands them to the TLS front. The listener's own connections
 * (its group) are not routed, so they reach the real hosts.
 *
 * Steps, each journaled before it runs: trust the CA in the login keychain, start the listener,
 * take a pf enable reference (`pfctl -E`, released with `-X <token>`, so a pf that was already
 * enabled by someone else stays enabled), load the main ruleset with our anchor named in it, load
 * the anchor.
 */
import type { BackendPlan, PlanInput } from './plan.ts';
import type { CommandResult } from './runner.ts';

export const PF_ANCHOR = 'replaykit';
export const PF_CONF = '/etc/pf.conf';

export interface PfInput extends PlanInput {
  /** The text of the main ruleset file (`/etc/pf.conf`). */
  pfConf: string;
  pfConfPath?: string;
  /** The user's login keychain. */
  keychain: string;
}

export function pfRules(input: PlanInput): string {
  const hosts = `<${PF_ANCHOR}_hosts>`;
  return [
    `table ${hosts} { ${input.addresses.join(', ')} }`,
    `rdr pass on lo0 inet proto tcp from any to ${hosts} port 443 -> 127.0.0.1 port ${input.port}`,
    `pass out route-to lo0 inet proto tcp from any to ${hosts} port 443 group != ${input.exemptGid} keep state`,
    '',
  ].join('\n');
}

/** The main ruleset with our anchor named in its translation and filter sections (pf wants order). */
export function withAnchor(pfConf: string): string {
  const lines = pfConf.replace(/\n$/, '').split('\n');
  const lastIndex = (re: RegExp) => lines.findLastIndex((line) => re.test(line));
  const rdr = lastIndex(/^\s*rdr-anchor\s/);
  lines.splice(rdr + 1, 0, `rdr-anchor "${PF_ANCHOR}"`);
  const filter = lastIndex(/^\s*anchor\s/);
  if (filter >= 0) lines.splice(filter + 1, 0, `anchor "${PF_ANCHOR}"`);
  else lines.push(`anchor "${PF_ANCHOR}"`);
  return `${lines.join('\n')}\n`;
}

/** `pfctl -E` prints `Token : 1234567890`: the reference to release at stop. */
export function pfToken(result: CommandResult): string | null {
  return /Token\s*:\s*(\d+)/.exec(`${result.stdout}\n${result.stderr}`)?.[1] ?? null;
}

export function pfPlan(input: PfInput): BackendPlan {
  const rules = pfRules(input);
  const confPath = input.pfConfPath ?? PF_CONF;
  return {
    backend: 'pf',
    rules,
    steps: [
      {
        id: 'keychain-trust',
        apply: {
          cmd: 'security',
          args: ['add-trusted-cert', '-r', 'trustRoot', '-k', input.keychain, input.ca.path],
        },
        undo: [
          {
            command: { cmd: 'security', args: ['remove-trusted-cert', input.ca.path] },
            absent: 'could not be found|not found|The specified item could not be found',
          },
          {
            command: {
              cmd: 'security',
              args: ['delete-certificate', '-Z', input.ca.sha1.replaceAll(':', ''), input.keychain],
            },
            absent: 'Unable to delete certificate matching|could not be found',
          },
        ],
      },
      'listener',
      {
        id: 'pf-enable',
        apply: { cmd: 'pfctl', args: ['-E'] },
        // Unknown until pfctl answers: a crash before that leaves one enable reference behind,
        // which the runbook's recovery section shows how to release.
        undo: [],
        undoFrom: (result) => {
          const token = pfToken(result);
          return token ? [{ command: { cmd: 'pfctl', args: ['-X', token] } }] : [];
        },
      },
      {
        id: 'pf-main-ruleset',
        apply: { cmd: 'pfctl', args: ['-f', '-'], input: withAnchor(input.pfConf) },
        undo: [{ command: { cmd: 'pfctl', args: ['-f', confPath] } }],
      },
      {
        id: 'pf-anchor',
        apply: { cmd: 'pfctl', args: ['-a', PF_ANCHOR, '-f', '-'], input: rules },
        undo: [{ command: { cmd: 'pfctl', args: ['-a', PF_ANCHOR, '-F', 'all'] } }],
      },
    ],
  };
}
