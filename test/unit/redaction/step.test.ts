/**
 * Per provider, request and response, streamed and not: a key planted in every field a step can
 * carry never survives `step()`, and the step still validates against the .rpk schema.
 */
import { describe, expect, test } from 'vitest';
import { Step, type StepInput, type StreamEvent } from '../../../src/cassette/schema.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { DELTA_SHAPES, FAKE } from './shapes.ts';

const base = { correlation_id: 'c1', offset_ms: 0 };
const KEYS = { openai: FAKE.openai, anthropic: FAKE.anthropic, gemini: FAKE.google } as const;
type P = keyof typeof KEYS;
const SHAPE = {
  openai: 'openai responses output_text',
  anthropic: 'anthropic text_delta',
  gemini: 'gemini candidates parts text',
} as const;

function split(shapeName: string, text: string): StreamEvent[] {
  const shape = DELTA_SHAPES.find((s) => s.name === shapeName)!;
  const cut = text.indexOf('sk-') + 7;
  const at = cut > 7 ? cut : text.length >> 1;
  return [text.slice(0, at), text.slice(at, at + 9), text.slice(at + 9)].map((t, i) =>
    shape.make(t, i),
  );
}

function steps(p: P, key: string = KEYS[p]): StepInput[] {
  const said = `sure, your key is ${key} ok`;
  const provider = p;
  const endpoint = { openai: 'responses', anthropic: 'messages', gemini: 'streamGenerateContent' }[
    p
  ];
  const url = {
    openai: '/v1/responses',
    anthropic: '/v1/messages?beta=true',
    gemini: `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${FAKE.google}`,
  }[p];
  const shape = SHAPE[p];
  const common = { ...base, provider, endpoint };
  return [
    {
      ...common,
      type: 'model.request',
      method: 'POST',
      url,
      transport: 'http',
      stream: true,
      headers: {
        authorization: `Bearer ${key}`,
        'x-api-key': key,
        'x-goog-api-key': key,
        'content-type': 'application/json',
      },
      body: {
        model: 'm',
        input: [{ role: 'user', content: `remember ${key}` }],
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', content: `env: OPENAI_API_KEY=${key}` }],
          },
        ],
      },
    },
    {
      ...common,
      type: 'model.request',
      method: 'POST',
      url,
      transport: 'http',
      stream: false,
      headers: {},
      body_text: `raw ${key}`,
    },
    {
      ...common,
      type: 'model.response',
      status: 200,
      headers: { 'x-request-id': 'req_1' },
      body: { output_text: said, error: { message: `bad key ${key}` } },
    },
    {
      ...common,
      type: 'model.response',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      stream: { format: 'sse', state: 'completed', events: split(shape, said) },
      assembled: {
        text: said,
        tool_calls: [
          {
            id: 'call_1',
            name: 'sh',
            kind: 'function',
            arguments: { cmd: `curl -H 'x-api-key: ${key}'` },
          },
        ],
      },
      diagnostics: [{ message: `odd frame ${key}` }],
    },
    {
      ...common,
      type: 'tool.request',
      call_id: 'call_1',
      name: 'sh',
      kind: 'function',
      arguments: { cmd: `echo ${key}` },
    },
    { ...common, type: 'tool.response', call_id: 'call_1', kind: 'function', output: `${key}\n` },
    {
      ...common,
      type: 'error.event',
      source: 'upstream',
      code: 'E_UPSTREAM',
      message: `Invalid API key ${key}`,
      detail: { key },
    },
    {
      ...common,
      type: 'agent.event',
      agent: 'codex',
      event: {
        type: 'item.completed',
        item: { type: 'command_execution', aggregated_output: key },
      },
    },
    {
      ...common,
      type: 'model.request',
      method: 'POST',
      url: '/v1/files',
      transport: 'http',
      stream: false,
      headers: {},
      // A multipart upload: a text field and a file name carry it; the binary part cannot.
      body_multipart: {
        boundary: 'b',
        parts: [
          { headers: ['Content-Disposition: form-data; name="note"'], body_text: `token ${key}` },
          {
            headers: [`Content-Disposition: form-data; name="file"; filename="${key}.txt"`],
            body_base64: 'AAEC',
          },
        ],
      },
    },
    {
      // A capture fault names the URL it failed on: its query string can carry the key.
      ...common,
      type: 'error.event',
      endpoint: `https://gateway.example${url}${url.includes('?') ? '&' : '?'}key=${key}`,
      source: 'capture',
      code: 'E_CAPTURE',
      message: 'Failed to record',
    },
  ] as StepInput[];
}

describe.each(['openai', 'anthropic', 'gemini'] as const)('%s steps', (p) => {
  const r = createRedactor({ env: {} });
  const input = steps(p);
  const out = input.map((s) => r.step(s));

  test.each(out.map((s, i) => [`${i} ${s.type}`, s] as const))(
    'no planted key survives in %s',
    (_n, s) => {
      const json = JSON.stringify(s);
      expect(json).not.toContain(KEYS[p]);
      expect(json).not.toContain(KEYS[p].slice(10, 30));
      expect(json).toContain('[REDACTED:');
      expect(Step.safeParse({ ...s, index: 0 }).success).toBe(true);
    },
  );

  test('the same content without a secret is kept as it was (negative control)', () => {
    const clean = steps(p, 'nothing-to-see');
    const back = clean.map((s) => r.step(s));
    // Only the credential slots (headers, `?key=`, `KEY=` assignments) are redacted regardless.
    for (const i of [2, 4, 5, 6, 7]) expect(back[i]).toEqual(clean[i]);
    expect(JSON.stringify(back[1])).toContain('"body_text":"raw nothing-to-see"');
    expect(back[3]).toEqual(clean[3]);
  });

  test('streamed events and the assembled text agree on the marker', () => {
    const resp = out[3] as Extract<StepInput, { type: 'model.response' }>;
    const shape = DELTA_SHAPES.find((s) => s.name === SHAPE[p])!;
    expect(resp.stream!.events.map(shape.read).join('')).toBe(resp.assembled!.text);
  });
});

test('a step redacted twice is unchanged the second time (writers may redact again)', () => {
  const r = createRedactor({ env: {} });
  for (const s of steps('openai')) {
    const once = r.step(s);
    expect(r.step(once)).toEqual(once);
  }
});
