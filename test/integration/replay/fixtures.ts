/**
 * Cassettes for the replay tests, made by the real front doors: `record()` with the real SDKs
 * against the fake upstream, and the shared capture pipeline fed WebSocket frames exactly as the
 * listener feeds it (a passive capture: Codex-style turns, a tool round trip, an agent event and
 * a capture fault, which parity leaves out).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import WebSocket from 'ws';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import { record } from '../../../src/index.ts';
import { normalizeStep } from '../../../src/pipeline/canonical.ts';
import { CapturePipeline } from '../../../src/pipeline/capture.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

/** Everything the SDK run does, so a parity `run` can repeat it exactly. */
export async function sdkConversation(origin: string, up?: FakeUpstream) {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: origin, maxRetries: 0 });
  const gemini = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: origin } });
  up?.enqueue({ kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
  const first = await openai.responses
    .stream({ model: 'gpt-5-mini', input: 'Weather in Paris?' })
    .finalResponse();
  const call = first.output.find((item) => item.type === 'function_call');
  const second = await openai.responses.create({
    model: 'gpt-5-mini',
    input: [
      { role: 'user', content: 'Weather in Paris?' },
      ...(call ? [call] : []),
      { type: 'function_call_output', call_id: call?.call_id ?? 'none', output: '11 °C' },
    ],
  });
  const claude = await anthropic.messages
    .stream({
      model: 'claude-test-model',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    })
    .finalMessage();
  let gem = '';
  for await (const chunk of await gemini.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: 'hi',
  })) {
    gem += chunk.text ?? '';
  }
  return { second: second.output_text, claude: claude.content, gem };
}

export async function recordSdkCassette(dir: string): Promise<{ file: string; origin: string }> {
  const up = await startFakeUpstream();
  const file = path.join(dir, 'sdk.rpk');
  try {
    await record({ cassette: file, mode: 'record' }, () => sdkConversation(up.url, up));
    return { file, origin: up.url };
  } finally {
    await up.close();
  }
}

/** One Codex-style WebSocket session through the capture pipeline, as the listener records it. */
export async function recordPassiveCassette(dir: string): Promise<string> {
  const up = await startFakeUpstream();
  const file = path.join(dir, 'passive.rpk');
  const redactor = createRedactor();
  const writer = createCassetteWriter(file, {
    header: {
      run_id: randomUUID(),
      capture: 'passive',
      response_source: 'live',
      tool: { name: 'replaykit', version: 'test' },
      redaction: redactor.policy,
    },
    normalize: normalizeStep,
  });
  const pipeline = new CapturePipeline({ sink: writer, redactor, clock: () => 0 });
  const headers = { 'openai-beta': 'responses_websockets=2026-02-06', originator: 'codex_exec' };
  const socket = new WebSocket(`${up.url.replace('http', 'ws')}/v1/responses`, { headers });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const turn = async (body: Record<string, unknown>) => {
    const text = JSON.stringify({ type: 'response.create', ...body });
    const exchange = pipeline.begin({
      method: 'POST',
      url: '/v1/responses',
      headers,
      body: new TextEncoder().encode(text),
      transport: 'websocket',
    });
    await new Promise<void>((resolve) => {
      const onFrame = (data: WebSocket.RawData) => {
        exchange?.frame(String(data));
        if (exchange?.done) {
          socket.off('message', onFrame);
          exchange.end();
          resolve();
        }
      };
      socket.on('message', onFrame);
      socket.send(text);
    });
  };
  up.enqueue({ kind: 'tool', calls: [{ name: 'exec', arguments: 'text("hi")', type: 'custom' }] });
  await turn({ model: 'gpt-5-codex', input: [{ role: 'user', content: 'say hi' }] });
  await turn({
    model: 'gpt-5-codex',
    input: [
      { role: 'user', content: 'say hi' },
      { type: 'custom_tool_call', call_id: 'call_fake_0001', name: 'exec', input: 'text("hi")' },
      { type: 'custom_tool_call_output', call_id: 'call_fake_0001', output: 'hi' },
    ],
  });
  socket.close();
  // Neither is traffic: parity reports them but does not compare them.
  writer.append({
    type: 'agent.event',
    correlation_id: randomUUID(),
    provider: 'openai',
    endpoint: 'responses',
    offset_ms: 0,
    agent: 'codex',
    event: { type: 'turn.completed' },
  });
  pipeline.fault(new Error('simulated capture fault'), '/v1/responses');
  writer.seal();
  await up.close();
  return file;
}
