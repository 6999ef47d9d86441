import OpenAI from 'openai';

// A module-level client, as most code has: ReplayKit intercepts it all the same.
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-test-FAKE', maxRetries: 0 });

/** Streams a reply and hands each piece to `onDelta` as it arrives. */
export async function haiku(topic: string, onDelta: (text: string) => void): Promise<string> {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: `Write a haiku about ${topic}.` }],
  });
  let text = '';
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content ?? '';
    if (delta) onDelta(delta);
    text += delta;
  }
  return text;
}
