import { GoogleGenAI } from '@google/genai';

const ai = new GoogleGenAI({
  apiKey: process.env.GEMINI_API_KEY ?? 'AIza-test-FAKE',
  // Only set when recording against a local server; replay never leaves the process.
  ...(process.env.GEMINI_BASE_URL ? { httpOptions: { baseUrl: process.env.GEMINI_BASE_URL } } : {}),
});

export async function translate(text: string): Promise<string> {
  const response = await ai.models.generateContent({
    model: 'gemini-2.5-flash',
    contents: `Translate to French: ${text}`,
  });
  return response.text ?? '';
}

export async function translateStreaming(text: string): Promise<string[]> {
  const stream = await ai.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: `Translate to French, streaming: ${text}`,
  });
  const pieces: string[] = [];
  for await (const chunk of stream) pieces.push(chunk.text ?? '');
  return pieces;
}
