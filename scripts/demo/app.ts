/**
 * The demo's sample app: an ordinary program using the real `openai` SDK, routed through the
 * listener by nothing but `OPENAI_BASE_URL` (as `replaypack listen env` prints it). It asks a
 * question, runs the tool the model calls, sends the result back and prints one JSON line that the
 * demo compares between the live run and the offline replay.
 */
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-test-FAKE', maxRetries: 0 });
const model = 'gpt-5-mini';
const tools = [
  {
    type: 'function' as const,
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
  },
];
const weather = (city: string) => ({ city, temperature_c: 11, conditions: 'light rain' });

const input: OpenAI.Responses.ResponseInput = [
  { role: 'user', content: 'What is the weather in Paris right now?' },
];
const first = await openai.responses.stream({ model, input, tools }).finalResponse();
const calls = first.output.filter((item) => item.type === 'function_call');
for (const call of calls) {
  input.push(call, {
    type: 'function_call_output',
    call_id: call.call_id,
    output: JSON.stringify(weather(JSON.parse(call.arguments).city)),
  });
}
let answer = '';
const second = openai.responses.stream({ model, input, tools });
for await (const event of second) {
  if (event.type === 'response.output_text.delta') answer += event.delta;
}
const final = await second.finalResponse();
process.stdout.write(
  `${JSON.stringify({
    tools: calls.map((c) => `${c.name}(${c.arguments})`),
    answer,
    response_ids: [first.id, final.id],
    tokens: (first.usage?.total_tokens ?? 0) + (final.usage?.total_tokens ?? 0),
  })}\n`,
);
