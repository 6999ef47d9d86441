import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { autoCassettePath, slug } from '../../../integrations/shared/cassette-path.ts';
import { buildReport, formatReport } from '../../../integrations/shared/report.ts';

describe('autoCassette names', () => {
  test('suite › test becomes a readable, portable file name', () => {
    expect(slug('chat › streams a greeting')).toBe('chat--streams-a-greeting');
    expect(slug('weather: "Paris"? <now>')).toBe('weather-Paris-now');
    expect(slug('café › naïve')).toBe('cafe--naive');
  });

  test('long names are cut and told apart by a short hash of the full name', () => {
    const a = slug(`${'x'.repeat(100)} one`);
    const b = slug(`${'x'.repeat(100)} two`);
    expect(a).toHaveLength(80);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^x+-[0-9a-f]{8}$/);
  });

  test('the path is <dir>/<test file>/<slug>.rpk under the project root', () => {
    const root = path.resolve('/project');
    expect(
      autoCassettePath({
        root,
        dir: 'cassettes',
        testFile: path.join(root, 'test', 'chat.test.ts'),
        names: ['chat', 'streams'],
      }),
    ).toBe(path.join(root, 'cassettes', 'test', 'chat.test.ts', 'chat--streams.rpk'));
  });
});

describe('the end-of-run report', () => {
  test('the worst outcome per cassette wins; nothing involved prints nothing', () => {
    const file = path.resolve('cassettes/a.rpk');
    const report = buildReport(
      [
        { cassette: file, outcome: 'replayed', unusedExchanges: 0 },
        { cassette: file, outcome: 'diverged', unusedExchanges: 2 },
      ],
      { folders: [], owned: new Set() },
    );
    expect(formatReport(report, process.cwd(), 'REPLAYKIT_MODE=record vitest run')).toBe(
      [
        '[replaykit] cassettes: 1 used, 0 missing, 0 unused',
        '  diverged cassettes/a.rpk (2 recorded exchanges never requested)',
        '',
      ].join('\n'),
    );
    expect(
      formatReport(buildReport([], { folders: [], owned: new Set() }), process.cwd(), ''),
    ).toBe('');
  });
});
