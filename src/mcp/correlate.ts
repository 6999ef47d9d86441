/**
 * Which model tool call an MCP `tools/call` answers. The listener feeds it every step it writes;
 * the model's tool calls are its `tool.request` steps (from the provider's response) and a call is
 * answered once a `tool.response` with its id comes back in the next request. Most specific first:
 * a call id in the request's `_meta` (Claude Code sends `claudecode/toolUseId`), then the newest
 * open call named for the tool (`mcp__<server>__<tool>`), then the newest open call: Codex runs
 * MCP tools from inside its `exec` tool, whose id the MCP request does not carry.
 */
import type { Step, StepInput } from '../cassette/schema.ts';
import type { McpCallQuery, McpLink } from './steps.ts';

interface Call {
  call_id: string;
  name: string;
  correlation_id: string;
  answered: boolean;
}

export class McpCallIndex {
  readonly #calls: Call[] = [];
  readonly #byId = new Map<string, Call>();

  add(step: Step | StepInput): void {
    if (step.provider === 'mcp' || step.endpoint.startsWith('agent:')) return;
    if (step.type === 'tool.request' && step.call_id) {
      const call = {
        call_id: step.call_id,
        name: step.name,
        correlation_id: step.correlation_id,
        answered: false,
      };
      this.#calls.push(call);
      this.#byId.set(call.call_id, call);
    } else if (step.type === 'tool.response' && step.call_id) {
      const call = this.#byId.get(step.call_id);
      if (call) call.answered = true;
    }
  }

  find(query: McpCallQuery): McpLink | null {
    for (const id of strings(query.meta)) {
      const call = this.#byId.get(id);
      if (call) return link(call);
    }
    const open = this.#calls.filter((c) => !c.answered).reverse();
    const named = open.find(
      (c) =>
        c.name === `mcp__${query.server}__${query.tool}` ||
        c.name === query.tool ||
        c.name.endsWith(`__${query.tool}`),
    );
    const found = named ?? open[0];
    return found ? link(found) : null;
  }
}

const link = (call: Call): McpLink => ({
  correlation_id: call.correlation_id,
  call_id: call.call_id,
});

function strings(meta: unknown): string[] {
  if (typeof meta !== 'object' || meta === null) return [];
  return Object.values(meta).filter((v): v is string => typeof v === 'string');
}
