import { createOpenAI } from '@ai-sdk/openai';
import { streamText } from 'ai';

const openai = createOpenAI({
  apiKey: process.env.OPENAI_API_KEY ?? 'sk-test-FAKE',
  ...(process.env.OPENAI_BASE_URL ? { baseURL: process.env.OPENAI_BASE_URL } : {}),
});

/** The Vercel AI SDK streaming through the OpenAI Responses API. */
export async function answer(question: string): Promise<{ chunks: string[]; text: string }> {
  const result = streamText({ model: openai('gpt-5'), prompt: question });
  const chunks: string[] = [];
  for await (const chunk of result.textStream) chunks.push(chunk);
  return { chunks, text: await result.text };
}
