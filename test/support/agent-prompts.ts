/**
 * Agent requests shaped as the real CLIs send them (Claude Code 2.1.330, codex-cli 0.169; the
 * E2E suite in test/e2e/agents captures the real thing), with random prompt text and random
 * machines: fast-check arbitraries for the normaliser's property tests and the blob line diff.
 */
import fc from 'fast-check';
import type { ModelRequest } from '../../src/cassette/schema.ts';

const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,11}$/);
export const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`);
export const day = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const uuid = fc.uuid();

/** Everything that differs between two runs of the same session. */
export const machine = fc.record({
  home: path,
  cwdUnderHome: fc.boolean(),
  cwd: path,
  date: day,
  shell: fc.constantFrom('bash', 'zsh', 'fish', 'sh'),
  os: fc
    .tuple(fc.nat(9), fc.nat(30), fc.nat(99), segment)
    .map(([a, b, c, s]) => `Linux ${a}.${b}.${c}-${s}`),
  git: fc.boolean(),
  branch: fc.stringMatching(/^[a-z][a-z0-9/_-]{0,20}$/),
  status: fc.array(fc.tuple(fc.constantFrom('??', ' M', 'A '), segment), { maxLength: 4 }),
  commits: fc.array(fc.tuple(hex(7), fc.lorem({ maxCount: 6 })), { minLength: 1, maxLength: 3 }),
  session: uuid,
  device: hex(64),
  timezone: fc.constantFrom('Etc/UTC', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'),
  wall: fc.float({ min: 0, max: 100, noNaN: true }).map((n) => n.toFixed(1)),
});
export type Machine = typeof machine extends fc.Arbitrary<infer T> ? T : never;
const where = (m: Machine) => ({ ...m, cwd: m.cwdUnderHome ? `${m.home}${m.cwd}` : m.cwd });

/** What the user and the agent's authors wrote: the same on both runs. */
export const prompt = fc.record({
  // Long enough that the prompt blocks are minimised (2 KB), as real agents' are.
  instructions: fc
    .array(fc.lorem({ mode: 'sentences', maxCount: 3 }), { minLength: 80, maxLength: 120 })
    .map((lines) => lines.map((l) => `- ${l} Keep to it while you work in this folder.`)),
  user: fc.lorem({ mode: 'sentences', maxCount: 2 }),
});
export type Prompt = typeof prompt extends fc.Arbitrary<infer T> ? T : never;

const slug = (p: string) => p.replace(/[^a-zA-Z0-9]/g, '-');

function step(headers: Record<string, string>, provider: 'openai' | 'anthropic', body: unknown) {
  const s: ModelRequest = {
    type: 'model.request',
    index: 0,
    correlation_id: 'c',
    provider,
    endpoint: provider === 'openai' ? 'responses' : 'messages',
    offset_ms: 0,
    method: 'POST',
    url: provider === 'openai' ? '/v1/responses' : '/v1/messages?beta=true',
    transport: 'http',
    stream: true,
    model: 'm',
    headers,
    body,
  };
  return s;
}

// Shaped as Claude Code 2.1.330 sends them (test/e2e/agents captures the real thing).
export function claudeRequest(raw: Machine, p: Prompt): ModelRequest {
  const m = where(raw);
  const git = m.git
    ? [
        {
          type: 'text',
          text: `<system-reminder>\nAs you answer the user's questions, you can use the following context:\n# gitStatus\nThis is the git status at the start of the conversation.\n\nCurrent branch: ${m.branch}\n\nMain branch (you will usually use this for PRs): main\n\nStatus:\n${m.status.map(([a, b]) => `${a} ${b}`).join('\n')}\n\nRecent commits:\n${m.commits.map(([h, s]) => `${h} ${s}`).join('\n')}\n\nClaude Code attached this context automatically; it isn't part of the user's message.\n</system-reminder>\n`,
        },
      ]
    : [];
  const env = `# Environment\nYou have been invoked in the following environment: \n - Primary working directory: ${m.cwd}\n - Is a git repository: ${m.git}\n - Platform: linux\n - Shell: ${m.shell}\n - OS Version: ${m.os}\n\n${p.instructions.slice(0, 40).join('\n')}\n\nToday's date is ${m.date}.`;
  const memory = `# Memory\n\nYou have a persistent file-based memory at \`${m.home}/.claude/projects/${slug(m.cwd)}/memory/\`. This directory already exists.`;
  return step(
    {
      'user-agent': 'claude-cli/2.1.330 (external, sdk-cli)',
      'x-claude-code-session-id': m.session,
    },
    'anthropic',
    {
      model: 'claude-test',
      messages: [
        { role: 'user', content: [...git, { type: 'text', text: p.user }] },
        {
          role: 'system',
          content: [{ type: 'text', text: env, cache_control: { type: 'ephemeral' } }],
          output_config: { effort: 'medium' },
        },
      ],
      system: [
        {
          type: 'text',
          text: 'x-anthropic-billing-header: cc_version=2.1.330.73a; cc_entrypoint=sdk-cli;',
        },
        { type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." },
        { type: 'text', text: `\n${p.instructions.slice(40).join('\n')}\n\n${memory}` },
      ],
      metadata: { user_id: JSON.stringify({ device_id: m.device, session_id: m.session }) },
      max_tokens: 32000,
      stream: true,
    },
  );
}

// Shaped as codex-cli 0.169 sends them.
export function codexRequest(raw: Machine, p: Prompt): ModelRequest {
  const m = where(raw);
  const id = m.session;
  return step({ originator: 'codex_exec', 'session-id': id, 'thread-id': id }, 'openai', {
    model: 'gpt-test',
    instructions: '',
    input: [
      {
        type: 'message',
        id: `msg_${id}`,
        role: 'developer',
        content: [{ type: 'input_text', text: p.instructions.join('\n') }],
      },
      {
        type: 'message',
        id: `msg_${id}2`,
        role: 'developer',
        content: [
          {
            type: 'input_text',
            text: `<skills_instructions>\n## Skills\n${p.instructions.slice(0, 40).join('\n')}\n- \`r0\` = \`${m.home}/skills/.system\`\n</skills_instructions>`,
          },
        ],
      },
      {
        type: 'message',
        id: `msg_${id}3`,
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: `<environment_context>\n  <cwd>${m.cwd}</cwd>\n  <shell>${m.shell}</shell>\n  <current_date>${m.date}</current_date>\n  <timezone>${m.timezone}</timezone>\n  <filesystem><workspace_roots><root>${m.cwd}</root></workspace_roots></filesystem>\n</environment_context>`,
          },
        ],
      },
      {
        type: 'message',
        id: `msg_${id}4`,
        role: 'user',
        content: [{ type: 'input_text', text: p.user }],
      },
      {
        type: 'custom_tool_call_output',
        id: `ctco_${id}`,
        call_id: 'call_1',
        output: [
          { type: 'input_text', text: `Script completed\nWall time ${m.wall} seconds\nOutput:` },
        ],
      },
    ],
    prompt_cache_key: id,
    client_metadata: { session_id: id, thread_id: id },
    stream: true,
  });
}
