/**
 * `Promise.all` twins: the same request twice at once, over JSON, SSE and Responses. The upstream
 * numbers its answers, so a replay that hands a call its twin's answer shows as swapped results.
 * Twenty rounds in a row, each recorded on its own cassette: an order that holds only by luck
 * (which connection came up first) fails one of them.
 *
 * A bare `Promise.all` on purpose: in the changed-prompt run it rejects at the first divergence
 * while the twin may still be on its way to `fetch` (the openai SDK takes more than one event-loop
 * turn); that twin then arrives after `record()` stopped and must be refused, not sent to the
 * tripwire (capture/after-replay.ts).
 */
import OpenAI from 'openai';
import type { FakeUpstream } from '../../support/fake-upstream/index.ts';
import { type RunEnv, scenario, scenarios } from './harness.ts';

const ROUNDS = 20;

const numbered = (up: FakeUpstream) => {
  let answered = 0;
  // A pause between writes keeps both twins in flight at once, so their exchanges overlap.
  up.reply(() => ({ kind: 'text', text: `answer ${++answered}`, delayMs: 1 }));
};

const client = (env: RunEnv) =>
  new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${env.origin}/v1`, maxRetries: 0 });

const json = async (env: RunEnv, prompt: string) => {
  const openai = client(env);
  const ask = () =>
    openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] })
      .then((r) => r.choices[0]?.message.content);
  return Promise.all([ask(), ask()]);
};

const sse = async (env: RunEnv, prompt: string) => {
  const openai = client(env);
  const ask = async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: prompt }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  };
  return Promise.all([ask(), ask()]);
};

const responses = async (env: RunEnv, prompt: string) => {
  const openai = client(env);
  const ask = async () => {
    const stream = openai.responses.stream({ model: 'gpt-5-mini', input: prompt });
    return (await stream.finalResponse()).output_text;
  };
  return Promise.all([ask(), ask()]);
};

const sane = (answers: (string | null | undefined)[]) => {
  const sorted = [...answers].map((a) => a?.trim()).sort();
  if (JSON.stringify(sorted) !== JSON.stringify(['answer 1', 'answer 2'])) {
    throw new Error(`expected answers 1 and 2, got ${JSON.stringify(answers)}`);
  }
};

const twins = {
  prompt: 'Count',
  changed: 'Count again',
  upstream: numbered,
  rounds: ROUNDS,
  sane,
};

scenarios([
  scenario({
    name: 'Promise.all twins, JSON',
    ...twins,
    path: 'body.messages[0].content',
    run: json,
  }),
  scenario({
    name: 'Promise.all twins, SSE',
    ...twins,
    path: 'body.messages[0].content',
    run: sse,
  }),
  scenario({ name: 'Promise.all twins, Responses', ...twins, path: 'body.input', run: responses }),
]);
