import { execa } from 'execa';
import { expect, test } from 'vitest';
import { listenerEnv, quote, setLine } from '../../../src/listener/index.ts';

const url = 'http://127.0.0.1:8790';

test('sh lines route the three SDKs (OpenAI with /v1, Anthropic and Gemini without)', async () => {
  const r = await listenerEnv({ url, shell: 'sh' });
  expect(r.lines).toEqual([
    "export OPENAI_BASE_URL='http://127.0.0.1:8790/v1'",
    "export ANTHROPIC_BASE_URL='http://127.0.0.1:8790'",
    "export GOOGLE_GEMINI_BASE_URL='http://127.0.0.1:8790'",
  ]);
});

test("--provider NAME: that SDK family's variables, and its code-level base URL where it reads none", async () => {
  const lines = async (provider: string) =>
    (await listenerEnv({ url, shell: 'sh', provider })).lines;
  expect(await lines('azure')).toEqual([
    "export AZURE_OPENAI_ENDPOINT='http://127.0.0.1:8790'",
    '# SDKs that read no variable: point them at the listener in code:',
    "#   @ai-sdk/azure: createAzure({ baseURL: 'http://127.0.0.1:8790/openai' })",
  ]);
  expect(await lines('bedrock')).toEqual([
    "export AWS_ENDPOINT_URL_BEDROCK_RUNTIME='http://127.0.0.1:8790'",
  ]);
  expect(await lines('vertex')).toEqual(["export GOOGLE_VERTEX_BASE_URL='http://127.0.0.1:8790'"]);
  expect(await lines('ollama')).toEqual([
    '# Its SDKs read no variable: point them at the listener in code:',
    "#   ollama: new Ollama({ host: 'http://127.0.0.1:8790' })",
  ]);
  expect(await lines('compat:groq')).toEqual([
    "export GROQ_BASE_URL='http://127.0.0.1:8790/compat/groq'",
    '# SDKs that read no variable: point them at the listener in code:',
    "#   openai: new OpenAI({ baseURL: 'http://127.0.0.1:8790/compat/groq' })",
    "#   @ai-sdk/openai-compatible: createOpenAICompatible({ name: 'groq', baseURL: 'http://127.0.0.1:8790/compat/groq' })",
  ]);
  expect(await lines('openai')).toEqual(["export OPENAI_BASE_URL='http://127.0.0.1:8790/v1'"]);
  await expect(listenerEnv({ url, provider: 'mistral' })).rejects.toThrow(
    'Invalid --provider "mistral": expected one of anthropic, gemini, vertex, bedrock, ollama, azure, compat:NAME, openai.',
  );
});

test('the same URL in fish, PowerShell and cmd syntax', async () => {
  expect((await listenerEnv({ url, shell: 'fish' })).lines[0]).toBe(
    "set -gx OPENAI_BASE_URL 'http://127.0.0.1:8790/v1'",
  );
  expect((await listenerEnv({ url, shell: 'powershell' })).lines[1]).toBe(
    "$env:ANTHROPIC_BASE_URL = 'http://127.0.0.1:8790'",
  );
  expect((await listenerEnv({ url, shell: 'cmd' })).lines[2]).toBe(
    'set "GOOGLE_GEMINI_BASE_URL=http://127.0.0.1:8790"',
  );
});

test('sh quoting survives quotes, spaces and $ when the line is run by a real shell', async () => {
  const value = `it's $HOME "quoted" \`x\``;
  const r = await execa('sh', ['-c', `${setLine('sh', 'RK_VALUE', value)}; printf %s "$RK_VALUE"`]);
  expect(r.stdout).toBe(value);
});

test('fish and PowerShell quoting escape their own quote characters', () => {
  expect(quote('fish', `a'b\\c`)).toBe(`'a\\'b\\\\c'`);
  expect(quote('powershell', `a'b`)).toBe(`'a''b'`);
  expect(() => setLine('cmd', 'X', '100%')).toThrow(/cmd\.exe/);
});

test('Claude Code: ANTHROPIC_BASE_URL plus the nonessential-traffic switch', async () => {
  const r = await listenerEnv({ url, shell: 'sh', agent: 'claude-code' });
  expect(r.env).toMatchObject({
    ANTHROPIC_BASE_URL: url,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  });
  expect(r.lines).toContain("export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC='1'");
});

test('Codex: the openai_base_url config route and a custom provider, since it ignores OPENAI_BASE_URL', async () => {
  const r = await listenerEnv({ url, shell: 'sh', agent: 'codex' });
  expect(r.agent_args).toEqual(['-c', 'openai_base_url="http://127.0.0.1:8790/v1"']);
  const text = r.lines.join('\n');
  expect(text).toContain('Codex ignores OPENAI_BASE_URL');
  expect(text).toContain(`codex -c 'openai_base_url="http://127.0.0.1:8790/v1"' exec`);
  expect(text).toContain('openai_base_url = "http://127.0.0.1:8790/v1"');
  expect(text).toContain('supports_websockets=false');
});

test('output is deterministic', async () => {
  const a = await listenerEnv({ url, shell: 'powershell', agent: 'codex' });
  const b = await listenerEnv({ url, shell: 'powershell', agent: 'codex' });
  expect(a).toEqual(b);
});
