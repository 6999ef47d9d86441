/**
 * Issue 13, symptom 3: the AI SDK mints a random tool-call id when Gemini's `functionCall` has
 * none, and sends it back in the next request. Replay and parity bind such client-minted values
 * instead of comparing them; a real change of content still diverges at its JSON path.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectReplayParity, ReplayDivergenceError, record } from '../../../src/index.ts';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { normalizeRequest } from '../../../src/providers/index.ts';
import { echoedIds, loadReplaySource, sourceFromSteps } from '../../../src/replay/index-file.ts';
import { ReplayMatcher } from '../../../src/replay/matcher.ts';
import { replaypack } from '../../support/cli.ts';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

let cassette: string;
/** The same loop recorded again (another minted id), and once with another prompt. */
let again: string;
let changed: string;
let origin: string;
let recorded: Awaited<ReturnType<ReturnType<typeof toolLoop>>>;
let sent: unknown[];
/** Listens on the stopped upstream's port: replay must never reach it. */
let tripwire: Server;
let hits = 0;

function toolLoop(prompt = 'Weather in Oslo?', temperature = 21) {
  const weather = tool({
    description: 'weather',
    inputSchema: jsonSchema<{ city: string }>({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    }),
    execute: async ({ city }) => ({ city, temperature }),
  });
  return async () => {
    const google = createGoogleGenerativeAI({
      apiKey: 'AIza-test-FAKE',
      baseURL: `${origin}/v1beta`,
    });
    const out = await generateText({
      model: google('gemini-2.5-flash'),
      prompt,
      tools: { weather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    return {
      text: out.text,
      steps: out.steps.length,
      calls: out.steps.flatMap((s) => s.toolCalls.map((c) => [c.toolName, c.input])),
      results: out.steps.flatMap((s) => s.toolResults.map((r) => r.output)),
    };
  };
}

beforeAll(async () => {
  const up = await startFakeUpstream();
  origin = up.url;
  cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-minted-')), 'gemini-tool-loop.rpk');
  // The first turn calls the tool (a Gemini functionCall without an id), the second answers.
  up.reply((req) =>
    req.provider === 'gemini' && !JSON.stringify(req.body).includes('functionResponse')
      ? { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] }
      : undefined,
  );
  recorded = (await record({ cassette, mode: 'record' }, toolLoop())).value;
  sent = up.received.map((r) => r.body);
  again = cassette.replace('.rpk', '-again.rpk');
  changed = cassette.replace('.rpk', '-changed.rpk');
  await record({ cassette: again, mode: 'record' }, toolLoop());
  await record({ cassette: changed, mode: 'record' }, toolLoop('Weather in Bergen?'));
  await up.close();
  tripwire = createServer((_req, res) => {
    hits++;
    res.destroy();
  });
  await new Promise<void>((resolve) => tripwire.listen(up.port, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => tripwire.close(() => resolve())));

describe('the AI SDK two-step Gemini tool loop (an id the client minted)', () => {
  test('the recording holds an id the SDK made up and echoed in its second request', () => {
    expect(recorded).toMatchObject({ steps: 2, calls: [['weather', { city: 'Oslo' }]] });
    const second = JSON.stringify(sent[1]);
    const id = /"functionCall":\{"id":"([^"]+)"/.exec(second)?.[1];
    expect(id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(second).toContain(`"functionResponse":{"id":"${id}"`);
  });

  test('replays offline with a freshly minted id, strictly, without touching the network', async () => {
    const replayed = await record({ cassette, mode: 'replay', strict: true }, toolLoop());
    expect(replayed.value).toEqual(recorded);
    expect(replayed.exchanges).toBe(2);
    expect(hits).toBe(0);
  });

  test('expectReplayParity with the run passes: tool steps compare the bound id', async () => {
    await expect(expectReplayParity(cassette, toolLoop())).resolves.toMatchObject({
      exchanges: 2,
    });
    await expect(expectReplayParity(cassette)).resolves.toMatchObject({ exchanges: 2 });
    expect(hits).toBe(0);
  });

  test('a changed prompt still diverges, at its JSON path', async () => {
    const error = await record({ cassette, mode: 'replay' }, toolLoop('Weather in Bergen?')).catch(
      (e: unknown) => e,
    );
    expect(String(error)).toContain(
      'First difference: body.contents[0].parts[0].text: expected "Weather in Oslo?" but got "Weather in Bergen?"',
    );
    await expect(expectReplayParity(cassette, toolLoop('Weather in Bergen?'))).rejects.toThrow(
      ReplayDivergenceError,
    );
  });

  test('a changed tool result (next to the minted id) diverges, at its JSON path', async () => {
    const error = await expectReplayParity(cassette, toolLoop('Weather in Oslo?', 22)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    const { difference } = (error as ReplayDivergenceError).details;
    expect(difference).toEqual({
      path: 'body.contents[2].parts[0].functionResponse.response.content.temperature',
      expected: 21,
      actual: 22,
    });
    expect(hits).toBe(0);
  });

  test('the listener in replay mode binds it the same way', async () => {
    /** One replay listener per run: each serves every recorded exchange once. */
    const throughListener = async (run: () => Promise<unknown>, name: string) => {
      const gateway = await createGateway({
        port: 0,
        mode: 'replay',
        cassette,
        upstreams: { gemini: 'http://127.0.0.1:9' },
        capture: createListenerCapture({
          artifact: cassette.replace('.rpk', `-${name}.rpk`),
          responseSource: 'replay',
        }),
      });
      const saved = origin;
      origin = gateway.url;
      try {
        return await run().catch((e: unknown) => e);
      } finally {
        origin = saved;
        await gateway.close();
      }
    };
    expect(await throughListener(toolLoop(), 'same')).toEqual(recorded);
    const error = await throughListener(toolLoop('Weather in Bergen?'), 'changed');
    expect(String(error)).toContain(
      'First difference: body.contents[0].parts[0].text: expected "Weather in Oslo?" but got "Weather in Bergen?"',
    );
    expect(hits).toBe(0);
  });

  test('replaypack assert --golden and diff bind it across two recordings of the loop', async () => {
    const ok = await replaypack(['assert', again, '--golden', cassette]);
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect((await replaypack(['diff', cassette, again])).exitCode).toBe(0);
    const diff = await replaypack(['diff', cassette, changed]);
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toContain('body.contents[0].parts[0].text');
  });

  test('a cassette replayed from its on-disk index binds the same way', async () => {
    const { steps } = await loadCassette(cassette);
    const onDisk = await loadReplaySource(cassette, { inMemoryBelow: 0 });
    expect(onDisk.echoed).toEqual(echoedIds(sourceFromSteps(steps)));
    const matcher = new ReplayMatcher(cassette, onDisk, normalizeRequest);
    const [first, second] = onDisk.requests;
    const minted = /"functionCall":\{"id":"([^"]+)"/.exec(JSON.stringify(second?.body))![1]!;
    const fresh = JSON.parse(JSON.stringify(second).replaceAll(minted, 'Zq8Wm3Kx7Lp2Nv5B'));
    expect(matcher.take(first!).ok).toBe(true);
    expect(matcher.take(fresh).ok).toBe(true);
  });
});
