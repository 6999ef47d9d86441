import { describe, expect, test } from 'vitest';
import { type ModelRequest, Step } from '../../../src/cassette/schema.ts';
import { normalizeRequest, normalizeStep, VOLATILE } from '../../../src/providers/index.ts';
import { FIXTURE_SET, runFixture } from './fixtures.ts';

function request(overrides: Partial<ModelRequest>): ModelRequest {
  return {
    type: 'model.request',
    index: 0,
    correlation_id: 'c',
    provider: 'openai',
    endpoint: 'responses',
    offset_ms: 5,
    method: 'POST',
    url: '/v1/responses',
    transport: 'http',
    stream: true,
    model: 'gpt-5.1',
    headers: {},
    ...overrides,
  };
}

describe('normalizeRequest: what matching compares', () => {
  test('two runs of the same Codex turn match despite fresh session ids and cache keys', () => {
    const run = (id: string) =>
      request({
        headers: {
          originator: 'codex_exec',
          'session-id': id,
          'x-codex-turn-metadata': JSON.stringify({ session_id: id, turn_id: id }),
          authorization: `Bearer sk-test-FAKE-${id}`,
        },
        body: {
          model: 'gpt-5.1',
          prompt_cache_key: id,
          input: [{ role: 'user', content: 'say hi' }],
        },
      });
    expect(normalizeRequest(run('aaa'))).toEqual(normalizeRequest(run('bbb')));
    // A real change in the conversation still differs.
    const changed = run('aaa');
    changed.body = { model: 'gpt-5.1', input: [{ role: 'user', content: 'say bye' }] };
    expect(normalizeRequest(changed)).not.toEqual(normalizeRequest(run('aaa')));
  });

  test('Claude Code: the date reminder, attribution block and session user id are ignored', () => {
    const run = (date: string, session: string) =>
      request({
        provider: 'anthropic',
        endpoint: 'messages',
        url: '/v1/messages?beta=true',
        headers: {
          'user-agent': 'claude-cli/2.1.197 (external, cli)',
          'x-claude-code-session-id': session,
        },
        body: {
          model: 'claude-sonnet-4-5',
          system: [
            {
              type: 'text',
              text: `x-anthropic-billing-header: cc_version=2.1.197; cch=${session};`,
            },
            { type: 'text', text: 'You are Claude Code.' },
          ],
          metadata: { user_id: `user_x_account__session_${session}` },
          messages: [
            {
              role: 'user',
              content: [
                {
                  type: 'text',
                  text: `<system-reminder>Today's date is ${date}.</system-reminder>\nhi`,
                },
              ],
            },
          ],
        },
      });
    expect(normalizeRequest(run('2026-11-24', 's1'))).toEqual(
      normalizeRequest(run('2026-11-25', 's2')),
    );
  });

  test('the same date text from an ordinary SDK client is not rewritten', () => {
    const body = { messages: [{ role: 'user', content: "Today's date is 2026-11-24" }] };
    const a = normalizeRequest(request({ provider: 'anthropic', endpoint: 'messages', body })) as {
      body: unknown;
    };
    expect(JSON.stringify(a.body)).toContain('2026-11-24');
  });

  test('credentials in the query are never compared; other query parameters are, in a stable order', () => {
    const a = normalizeRequest(
      request({ url: '/v1beta/models/g:streamGenerateContent?key=AIza-test-FAKE-1&alt=sse' }),
    );
    const b = normalizeRequest(
      request({ url: '/v1beta/models/g:streamGenerateContent?alt=sse&key=AIza-test-FAKE-2' }),
    );
    expect(a).toEqual(b);
    expect(a).toMatchObject({ query: { alt: 'sse' } });
  });
});

describe('normalizeStep: the canonical form', () => {
  test('volatile response fields (ids, clocks, obfuscation, signatures) are replaced; content is kept', () => {
    for (const name of [
      'openai responses text (SSE, reasoning, UTF-8)',
      'openai chat text (SSE, usage chunk, [DONE])',
      'anthropic text (thinking, signature, ping)',
      'gemini text (SSE, thought, thoughtSignature)',
    ]) {
      const response = runFixture(FIXTURE_SET[name]!).steps.find(
        (s) => s.type === 'model.response',
      )!;
      const normal = normalizeStep(Step.parse({ ...response, index: 1 }));
      expect(Step.parse(normal)).toEqual(normal); // still a valid step
      const text = JSON.stringify(normal);
      for (const volatile of [
        '"obfuscation":"aB3"',
        'resp_0001',
        'chatcmpl-01',
        'msg_01A',
        'EqQBCkYIBxgCKkBsig',
        'CiQBsig1',
        'resp-g-01',
        '1764000000',
        'req_oai_1',
        'req_ant_1',
      ]) {
        expect(text, `${name}: ${volatile}`).not.toContain(volatile);
      }
      expect(text).toContain(VOLATILE);
      if (normal.type !== 'model.response') throw new Error('type changed');
      expect(normal.assembled?.text).toBe(
        response.type === 'model.response' ? response.assembled?.text : '',
      );
      expect(normal.offset_ms).toBe(0);
    }
  });

  test('request headers that change per run are replaced, stable ones kept', () => {
    const normal = normalizeStep(
      request({
        headers: {
          'x-stainless-retry-count': '1',
          'user-agent': 'OpenAI/JS 7.57.0',
          'content-type': 'application/json',
          'openai-beta': 'responses_websockets=2026-02-06',
          'x-codex-window-id': 'w1',
          originator: 'codex_exec',
        },
        body: { prompt_cache_key: 'abc', input: 'hi' },
      }),
    );
    expect(normal).toMatchObject({
      headers: {
        'x-stainless-retry-count': VOLATILE,
        'user-agent': VOLATILE,
        'content-type': 'application/json',
        'openai-beta': 'responses_websockets=2026-02-06',
        'x-codex-window-id': VOLATILE,
      },
      body: { prompt_cache_key: VOLATILE, input: 'hi' },
    });
  });
});
