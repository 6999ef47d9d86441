import { askWeather } from './weather';

describe('weather agent', () => {
  test('calls the weather tool, then answers', async () => {
    const { calls, answer } = await askWeather('What is the weather in Paris?');
    expect(calls).toEqual(['Paris']);
    expect(answer).toBe('Hello from the fake upstream.');
  });
});
