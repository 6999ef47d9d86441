/**
 * The Jest matrix of issue 22: Jest 29 and 30 × CommonJS and native ESM, each project holding
 * ts-jest and plain JS test files against `http://` and `https://` base URLs (a loopback TLS fake
 * upstream whose private CA reaches the SDKs through NODE_EXTRA_CA_CERTS), every file with a
 * module-level client. Each project records, replays and runs with `CI=true`, each of those both
 * `--runInBand` and `-w 2` (8 files over 2 workers, so each worker runs several files, which is
 * where the Jest hang and the lost recordings lived). Replays run with a tripwire on the recorded
 * ports: not one connection may reach them.
 *
 * What is shared, to keep this fast: one installed package, one CA, one Jest process per run
 * covering ts-jest and plain JS and both schemes (they are per file, not per process); the four
 * projects run side by side.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { isInstalled } from '../../support/test-packages.ts';
import { createPrivateCa, type PrivateCa } from '../frameworks/private-ca.ts';
import { fixtureProject, REPO } from './package.ts';
import { runIn } from './run.ts';

const JEST29 = path.join(REPO, 'test/compat/node_modules/jest29/bin/jest.js');
const JEST30 = path.join(REPO, 'node_modules/jest/bin/jest.js');
// The global setup installed test/compat unless the registry could not deliver (then it said so).
const jest29Installed = isInstalled('test/compat');
if (!jest29Installed) {
  console.warn(
    'test/compat is not installed (npm ci --prefix test/compat): the Jest 29 half of jest-matrix.test.ts is SKIPPED',
  );
}

type Scheme = 'http' | 'https';
type Lang = 'ts' | 'js';
interface TestFile {
  name: string;
  lang: Lang;
  scheme: Scheme;
}

/** 8 files: every (language, scheme) pair twice. */
const FILES: TestFile[] = (['ts', 'js'] as const).flatMap((lang) =>
  (['http', 'https'] as const).flatMap((scheme) =>
    [1, 2].map((n) => ({ name: `${lang}-${scheme}-${n}.test.${lang}`, lang, scheme })),
  ),
);
const TESTS = ['answers a greeting', 'answers a farewell'];
const TOTAL = FILES.length * TESTS.length;
const slug = (file: TestFile, test: string) =>
  `cassettes/${file.name}/${file.name.replace(/\.test\.\w+$/, '')}--${test.replaceAll(' ', '-')}.rpk`;

/**
 * A test file: a module-level client (built before any cassette scope, the common case), two
 * tests with one call each, and a note of which Jest worker ran the file.
 */
function testFile(file: TestFile, esm: boolean): string {
  const url = file.scheme === 'http' ? 'process.env.HTTP_URL' : 'process.env.HTTPS_URL';
  const describeName = file.name.replace(/\.test\.\w+$/, '');
  // ts files call Anthropic, js files stream OpenAI Chat: two SDKs, two wire formats.
  const client =
    file.lang === 'ts'
      ? `const client = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: ${url}, maxRetries: 0 });
async function ask(content: string): Promise<string> {
  const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content }] });
  return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
}`
      : `const client = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: ${url} + '/v1', maxRetries: 0 });
async function ask(content) {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}`;
  const sdk = file.lang === 'ts' ? ['Anthropic', '@anthropic-ai/sdk'] : ['OpenAI', 'openai'];
  const imports =
    esm || file.lang === 'ts'
      ? `import ${sdk[0]} from '${sdk[1]}';\nimport { appendFileSync } from 'node:fs';`
      : `const ${sdk[0]} = require('${sdk[1]}');\nconst { appendFileSync } = require('node:fs');`;
  return `${imports}

appendFileSync('runs.log', \`\${process.env.JEST_WORKER_ID} ${file.name}\\n\`);
${client}

describe('${describeName}', () => {
${TESTS.map(
  (t, i) => `  test('${t}', async () => {
    expect(await ask('${describeName} ${i}')).toBe('Hello from the fake upstream.');
  });`,
).join('\n')}
});
`;
}

const CJS_CONFIG = `const { withReplayKit } = require('replaykit/jest');

module.exports = withReplayKit(
  {
    testEnvironment: 'node',
    testMatch: ['<rootDir>/*.test.ts', '<rootDir>/*.test.js'],
    cacheDirectory: '<rootDir>/.jest-cache',
    transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', esModuleInterop: true, isolatedModules: true } }] },
  },
  { autoCassette: true },
);
`;

const ESM_CONFIG = `import { withReplayKit } from 'replaykit/jest';

export default withReplayKit(
  {
    testEnvironment: 'node',
    testMatch: ['<rootDir>/*.test.ts', '<rootDir>/*.test.js'],
    cacheDirectory: '<rootDir>/.jest-cache',
    extensionsToTreatAsEsm: ['.ts'],
    transform: { '^.+\\\\.ts$': ['ts-jest', { useESM: true, tsconfig: { module: 'esnext', target: 'es2022', esModuleInterop: true, isolatedModules: true } }] },
  },
  { autoCassette: true },
);
`;

interface Line {
  jest: 29 | 30;
  esm: boolean;
}
const LINES: Line[] = [
  { jest: 30, esm: false },
  { jest: 30, esm: true },
  { jest: 29, esm: false },
  { jest: 29, esm: true },
].filter((l) => l.jest === 30 || jest29Installed) as Line[];

/** Counts every connection to a port a replay must not touch. */
async function tripwire(port: number): Promise<{ hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((socket) => {
    hits++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let pki: PrivateCa;
beforeAll(async () => {
  pki = await createPrivateCa();
}, 60_000);

const upstreams: FakeUpstream[] = [];
afterAll(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
});

async function upstreamPair(): Promise<Record<Scheme, FakeUpstream>> {
  const pair = {
    http: await startFakeUpstream(),
    https: await startFakeUpstream({ tls: { key: pki.key, cert: pki.cert } }),
  };
  upstreams.push(pair.http, pair.https);
  return pair;
}

describe.concurrent('Jest matrix: several files per worker, http and https, module-level clients', () => {
  test.each(LINES)(
    'Jest $jest, esm: $esm',
    async ({ jest, esm }) => {
      const files: Record<string, string> = {
        'package.json': `{ "name": "matrix", "private": true${esm ? ', "type": "module"' : ''} }\n`,
        [esm ? 'jest.config.mjs' : 'jest.config.cjs']: esm ? ESM_CONFIG : CJS_CONFIG,
        'ca.pem': pki.ca,
      };
      for (const file of FILES) files[file.name] = testFile(file, esm);
      const dir = await fixtureProject(`jest${jest}-${esm ? 'esm' : 'cjs'}`, files);

      const run = async (
        mode: 'record' | 'replay' | 'ci',
        workers: 'in-band' | 'w2',
        urls: Record<Scheme, string>,
      ) => {
        rmSync(path.join(dir, 'runs.log'), { force: true });
        // Jest runs a suite in band when earlier timings say it is fast: forget them.
        const cache = path.join(dir, '.jest-cache');
        for (const f of existsSync(cache) ? readdirSync(cache) : []) {
          if (f.startsWith('perf-cache')) rmSync(path.join(cache, f));
        }
        const bin = [jest === 29 ? JEST29 : JEST30, workers === 'in-band' ? '--runInBand' : '-w=2'];
        const result = await runIn(dir, mode === 'ci' ? bin : [...bin, '--ci=false'], {
          ...(mode === 'ci' ? { CI: 'true' } : { REPLAYKIT_MODE: mode }),
          HTTP_URL: urls.http,
          HTTPS_URL: urls.https,
          NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem'),
          ...(esm ? { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' } : {}),
        });
        const label = `Jest ${jest} ${esm ? 'ESM' : 'CJS'} ${mode} ${workers}\n${result.output}`;
        expect(result.output, label).toContain(`Tests:       ${TOTAL} passed, ${TOTAL} total`);
        expect(result.exitCode, label).toBe(0);
        const verb = mode === 'record' ? 'recorded' : 'replayed';
        expect(result.output, label).toContain(
          `[replaykit] cassettes: ${TOTAL} used, 0 missing, 0 unused`,
        );
        for (const file of FILES) {
          for (const t of TESTS)
            expect(result.output, label).toContain(`  ${verb} ${slug(file, t)}`);
        }
        // Who ran what: every file once; in band one worker, else both, one of them several files.
        const ran = readFileSync(path.join(dir, 'runs.log'), 'utf8').trim().split('\n');
        expect(ran.map((l) => l.split(' ')[1]).sort(), label).toEqual(
          FILES.map((f) => f.name).sort(),
        );
        const perWorker = new Map<string, number>();
        for (const l of ran)
          perWorker.set(l.split(' ')[0]!, (perWorker.get(l.split(' ')[0]!) ?? 0) + 1);
        if (workers === 'in-band') expect(perWorker.size, label).toBe(1);
        else {
          expect(perWorker.size, label).toBe(2);
          expect(Math.max(...perWorker.values()), label).toBeGreaterThan(1);
        }
      };

      const cassettes = () =>
        FILES.flatMap((f) =>
          existsSync(path.join(dir, 'cassettes', f.name))
            ? readdirSync(path.join(dir, 'cassettes', f.name)).map((c) => `${f.name}/${c}`)
            : [],
        ).sort();
      const expected = FILES.flatMap((f) =>
        TESTS.map((t) => slug(f, t).slice('cassettes/'.length)),
      );

      // Each mode once in band and once over two workers: record, then replay behind tripwires.
      for (const [recordWith, other] of [
        ['in-band', 'w2'],
        ['w2', 'in-band'],
      ] as const) {
        rmSync(path.join(dir, 'cassettes'), { recursive: true, force: true });
        const up = await upstreamPair();
        await run('record', recordWith, { http: up.http.url, https: up.https.url });
        expect(cassettes()).toEqual(expected.sort());
        for (const scheme of ['http', 'https'] as const) {
          expect(up[scheme].received).toHaveLength(TOTAL / 2);
        }
        await Promise.all([up.http.close(), up.https.close()]);
        const wires = { http: await tripwire(up.http.port), https: await tripwire(up.https.port) };
        try {
          await run('replay', other, { http: up.http.url, https: up.https.url });
          await run('ci', recordWith, { http: up.http.url, https: up.https.url });
          expect(wires.http.hits() + wires.https.hits()).toBe(0);
        } finally {
          await Promise.all([wires.http.close(), wires.https.close()]);
        }
      }
    },
    600_000,
  );
});
