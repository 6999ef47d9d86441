/**
 * A user's program, unchanged: the official SDKs with their default base URLs. Run inside the
 * namespace with NODE_EXTRA_CA_CERTS naming the ReplayKit CA, it reaches "api.openai.com" and
 * "api.anthropic.com" only through transparent mode.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'sk-test-TRANSPARENTSECRET0001', maxRetries: 0 });
const stream = await openai.responses.create({ model: 'gpt-5', input: 'hi', stream: true });
let streamed = '';
for await (const event of stream)
  if (event.type === 'response.output_text.delta') streamed += event.delta;
const chat = await openai.chat.completions.create({
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'hello' }],
});
const anthropic = new Anthropic({ apiKey: 'sk-ant-test-TRANSPARENTSECRET0002', maxRetries: 0 });
const message = await anthropic.messages.create({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'hi' }],
});
const first = message.content[0];
process.stdout.write(
  `${JSON.stringify({
    openaiStream: streamed,
    openaiChat: chat.choices[0]?.message.content,
    anthropic: first?.type === 'text' ? first.text : null,
  })}\n`,
);
