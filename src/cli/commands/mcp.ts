/**
 * `replaypack mcp wrap --name NAME [--mode record|replay] [--cassette FILE] [--listener URL] --
 * COMMAND ARGS...`: the stdio MCP shim (src/mcp/wrap.ts). Everything after `--` is the real
 * server's command line, passed on as it is. stdout belongs to the MCP protocol: this command
 * prints nothing else there.
 */
import { defineCommand } from 'citty';
import { type McpMode, runMcpWrap } from '../../mcp/wrap.ts';

const wrap = defineCommand({
  meta: {
    name: 'wrap',
    description:
      'Stand in for a stdio MCP server: record its traffic into the listener, or replay it',
  },
  args: {
    name: { type: 'string', description: 'The server name, as the agent config calls it' },
    mode: {
      type: 'enum',
      options: ['record', 'replay'],
      description: 'record (default): run the server; replay: answer from --cassette',
    },
    cassette: { type: 'string', description: 'Cassette to answer from (--mode replay)' },
    listener: {
      type: 'string',
      description: 'Listener URL to record into (default: the one in REPLAYKIT_HOME)',
    },
  },
  async run({ args, rawArgs }) {
    const dash = rawArgs.indexOf('--');
    const command = dash === -1 ? [] : rawArgs.slice(dash + 1);
    try {
      process.exitCode = await runMcpWrap({
        name: args.name ?? '',
        command,
        mode: (args.mode as McpMode | undefined) ?? 'record',
        ...(args.cassette ? { cassette: args.cassette } : {}),
        ...(args.listener ? { listener: args.listener } : {}),
      });
    } finally {
      // The client may keep its end open after the server is gone: stop reading so we exit.
      process.stdin.destroy();
    }
  },
});

export default defineCommand({
  meta: { name: 'mcp', description: 'Record and replay MCP servers next to the model traffic' },
  subCommands: { wrap },
});
