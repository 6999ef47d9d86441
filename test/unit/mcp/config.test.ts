/**
 * The config lines `listen env --mcp NAME=COMMAND` prints: the server command split like a
 * shell's words (and nothing more), Claude Code's `--mcp-config` JSON and Codex's `-c` overrides,
 * each running `replaypack mcp wrap` in front of the server.
 */
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import { listenerEnv } from '../../../src/listener/env.ts';
import {
  claudeMcpConfig,
  codexMcpArgs,
  parseMcpSpec,
  splitCommand,
} from '../../../src/mcp/config.ts';

describe('splitCommand', () => {
  test.each([
    [
      'npx -y @modelcontextprotocol/server-everything',
      ['npx', '-y', '@modelcontextprotocol/server-everything'],
    ],
    [`node "/a dir/server.js" 'it''s' x\\ y`, ['node', '/a dir/server.js', 'its', 'x y']],
    ['  spaced   out  ', ['spaced', 'out']],
    [`echo "$HOME" '*' ""`, ['echo', '$HOME', '*', '']],
    [`node "say \\"hi\\""`, ['node', 'say "hi"']],
  ])('%s', (text, words) => {
    expect(splitCommand(text)).toEqual(words);
  });

  test('an unclosed quote is a usage error', () => {
    expect(() => splitCommand('node "server.js')).toThrow(UsageError);
  });
});

describe('parseMcpSpec', () => {
  test('NAME=COMMAND', () => {
    expect(parseMcpSpec('fs=npx -y server /tmp')).toEqual({
      name: 'fs',
      command: ['npx', '-y', 'server', '/tmp'],
    });
  });
  test.each(['everything', '=node x', 'bad name=node x', 'x='])('%s is refused', (spec) => {
    expect(() => parseMcpSpec(spec)).toThrow(/Invalid --mcp .*expected NAME=COMMAND/);
  });
});

const wrapper = ['/usr/bin/node', '/opt/replaypack/cli.mjs'];
const server = { name: 'everything', command: ['npx', '-y', 'server-everything'] };

test('Claude Code: one stdio server per name, running the wrapper in front of the command', () => {
  expect(
    JSON.parse(claudeMcpConfig(wrapper, [server], { listener: 'http://127.0.0.1:5' })),
  ).toEqual({
    mcpServers: {
      everything: {
        type: 'stdio',
        command: '/usr/bin/node',
        args: [
          '/opt/replaypack/cli.mjs',
          'mcp',
          'wrap',
          '--name',
          'everything',
          '--listener',
          'http://127.0.0.1:5',
          '--',
          'npx',
          '-y',
          'server-everything',
        ],
      },
    },
  });
});

test('Codex: command, args (TOML values) and required, so the first turn waits for the server', () => {
  const args = codexMcpArgs(wrapper, [server], {
    listener: 'http://127.0.0.1:5',
    cassette: '/r/run.rpk',
  });
  expect(args).toEqual([
    '-c',
    'mcp_servers.everything.command="/usr/bin/node"',
    '-c',
    'mcp_servers.everything.args=["/opt/replaypack/cli.mjs","mcp","wrap","--name","everything","--listener","http://127.0.0.1:5","--mode","replay","--cassette","/r/run.rpk","--","npx","-y","server-everything"]',
    '-c',
    'mcp_servers.everything.required=true',
  ]);
});

describe('listenerEnv with --mcp', () => {
  test('Claude Code gets REPLAYKIT_MCP_CONFIG and the line that uses it', async () => {
    const r = await listenerEnv({
      url: 'http://127.0.0.1:5',
      agent: 'claude-code',
      shell: 'sh',
      mcp: ['everything=npx -y server-everything'],
      wrapper,
    });
    expect(r.mcp_config).toBe(r.env.REPLAYKIT_MCP_CONFIG);
    expect(r.lines).toContain('#   claude --mcp-config "$REPLAYKIT_MCP_CONFIG" ...');
  });

  test('Codex gets the overrides in agent_args and in both printed command lines', async () => {
    const r = await listenerEnv({
      url: 'http://127.0.0.1:5',
      agent: 'codex',
      shell: 'sh',
      mcp: ['everything=npx -y server-everything'],
      wrapper,
    });
    expect(r.agent_args).toContain('mcp_servers.everything.required=true');
    const commands = r.lines.filter((l) =>
      /^#\s+codex .* exec( --skip-git-repo-check)? \.\.\.$/.test(l),
    );
    expect(commands).toHaveLength(2);
    for (const line of commands) expect(line).toContain("'mcp_servers.everything.args=[");
  });

  test('--mcp without --agent is a usage error', async () => {
    await expect(listenerEnv({ url: 'http://127.0.0.1:5', mcp: ['x=node s.js'] })).rejects.toThrow(
      /--mcp needs --agent/,
    );
  });
});
