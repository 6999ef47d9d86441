import { expect, test } from 'vitest';
import { parseUpstreamArgs, resolveListenOptions } from '../../../src/listener/options.ts';

test('defaults: loopback, port 8790, live, live_only, public provider upstreams', () => {
  const o = resolveListenOptions({}, {});
  expect(o).toMatchObject({ host: '127.0.0.1', port: 8790, mode: 'live', policy: 'live_only' });
  expect(o.upstreams).toEqual({
    openai: 'https://api.openai.com',
    anthropic: 'https://api.anthropic.com',
    gemini: 'https://generativelanguage.googleapis.com',
    vertex: 'https://us-central1-aiplatform.googleapis.com',
    bedrock: 'https://bedrock-runtime.us-east-1.amazonaws.com',
    ollama: 'http://127.0.0.1:11434',
    azure: 'https://YOUR-RESOURCE.openai.azure.com',
    'openai-compatible': 'http://localhost:8000/v1',
  });
});

test('--upstream takes every provider module and compat:NAME for an OpenAI-compatible server', () => {
  const upstreams = parseUpstreamArgs([
    'azure=https://res.openai.azure.com',
    'bedrock=https://bedrock-runtime.eu-west-1.amazonaws.com',
    'vertex=https://europe-west4-aiplatform.googleapis.com',
    'ollama=http://127.0.0.1:11435',
    'compat:groq=https://api.groq.com/openai/v1',
  ]);
  const o = resolveListenOptions({ upstreams }, {});
  expect(o.upstreams).toMatchObject({
    azure: 'https://res.openai.azure.com',
    bedrock: 'https://bedrock-runtime.eu-west-1.amazonaws.com',
    vertex: 'https://europe-west4-aiplatform.googleapis.com',
    ollama: 'http://127.0.0.1:11435',
    'compat:groq': 'https://api.groq.com/openai/v1',
  });
  expect(() => parseUpstreamArgs(['mistral=https://api.mistral.ai'])).toThrow(
    'Unknown provider "mistral" in --upstream: expected one of anthropic, gemini, vertex, bedrock, ollama, azure, openai, compat:NAME.',
  );
  expect(() => parseUpstreamArgs(['compat:=https://x.example'])).toThrow(/Unknown provider/);
});

test('--mode replay without --cassette is a usage error that says what is missing', () => {
  expect(() => resolveListenOptions({ mode: 'replay' }, {})).toThrow(
    '[replaykit] --mode replay needs --cassette FILE',
  );
});

test('a non-loopback host needs --allow-remote and a token', () => {
  expect(() => resolveListenOptions({ host: '0.0.0.0' }, {})).toThrow(/--allow-remote/);
  expect(() => resolveListenOptions({ host: '0.0.0.0', allowRemote: true }, {})).toThrow(
    /needs a token/,
  );
  const o = resolveListenOptions(
    { host: '0.0.0.0', allowRemote: true },
    { REPLAYKIT_LISTENER_TOKEN: 'tok-FAKE' },
  );
  expect(o.token).toBe('tok-FAKE');
  expect(resolveListenOptions({ host: 'localhost' }, {}).token).toBeNull();
});

test('--upstream values are parsed per provider and validated', () => {
  expect(parseUpstreamArgs(['openai=http://127.0.0.1:9/', 'gemini=http://127.0.0.1:8'])).toEqual({
    openai: 'http://127.0.0.1:9/',
    gemini: 'http://127.0.0.1:8',
  });
  expect(() => parseUpstreamArgs(['mistral=http://x'])).toThrow(/Unknown provider "mistral"/);
  expect(() => parseUpstreamArgs(['http://x'])).toThrow(/expected provider=URL/);
  expect(() => resolveListenOptions({ upstreams: { openai: 'ftp://x' } }, {})).toThrow(/http:\/\//);
  expect(resolveListenOptions({ upstreams: { openai: 'http://h:1/' } }, {}).upstreams.openai).toBe(
    'http://h:1',
  );
});

test('an invalid port is refused', () => {
  expect(() => resolveListenOptions({ port: Number('abc') }, {})).toThrow(/Invalid --port/);
  expect(() => resolveListenOptions({ port: 70000 }, {})).toThrow(/Invalid --port/);
});

test('sizes and durations for rotation, timeouts and prune parse with units, and refuse nonsense', async () => {
  const { parseDuration, parseSize } = await import('../../../src/listener/options.ts');
  expect(parseSize('10MB', '--rotate-size')).toBe(10 * 1024 * 1024);
  expect(parseSize('512k', '--rotate-size')).toBe(512 * 1024);
  expect(parseSize(1500, '--rotate-size')).toBe(1500);
  expect(parseDuration('250ms', '--timeout')).toBe(250);
  expect(parseDuration('1h', '--rotate-interval')).toBe(3_600_000);
  expect(parseDuration('7d', '--max-age')).toBe(7 * 86_400_000);
  expect(() => parseSize('ten', '--rotate-size')).toThrow('Invalid --rotate-size "ten"');
  expect(() => parseDuration('0s', '--timeout')).toThrow('Invalid --timeout "0s"');
});
