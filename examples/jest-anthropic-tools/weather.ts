import Anthropic from '@anthropic-ai/sdk';

const anthropic = new Anthropic({
  apiKey: process.env.ANTHROPIC_API_KEY ?? 'sk-ant-test-FAKE',
  maxRetries: 0,
});

const tools: Anthropic.Tool[] = [
  {
    name: 'get_weather',
    description: 'The current weather for a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

/** Stands in for a real weather service. */
export function getWeather(city: string): string {
  return `Sunny, 21°C in ${city}`;
}

/** One tool-using turn: the model asks for the weather, we answer, it replies. */
export async function askWeather(question: string): Promise<{ calls: string[]; answer: string }> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: question }];
  const calls: string[] = [];
  for (;;) {
    const reply = await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      tools,
      messages,
    });
    const uses = reply.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    if (uses.length === 0) {
      const text = reply.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      return { calls, answer: text };
    }
    messages.push({ role: 'assistant', content: reply.content });
    messages.push({
      role: 'user',
      content: uses.map((use) => {
        const { city } = use.input as { city: string };
        calls.push(city);
        return { type: 'tool_result' as const, tool_use_id: use.id, content: getWeather(city) };
      }),
    });
  }
}
