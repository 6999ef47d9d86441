/**
 * The precision gate (issue 23) on the real-stream corpus (test/fixtures/corpus/SOURCES.md).
 *
 * Clean corpus: every recorded stream goes through the stream redactor (the capture path, event by
 * event) and every recorded response body through the body redactor, with default redaction on.
 * A change the corpus does not list in expected-findings.json (true PII, with its reason) is a
 * false positive; the goal is 0, and every changed event must still parse at every level.
 *
 * Planted corpus: copies of the same exchanges with secrets planted at random places: split
 * across two deltas of a real channel, in nested JSON held in a string of a real event or body
 * (after escapes, one and two levels deep), and in the request's headers, query and body. Every
 * planted secret must be caught: recall 100 %.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { StepInput, StreamEvent } from '../../../src/cassette/schema.ts';
import { closedChannels, deltaRefs, setAt } from '../../../src/redaction/deltas.ts';
import { createRedactor, detectSecrets } from '../../../src/redaction/index.ts';
import { CORPUS_DIR, loadExchanges, loadResponses, loadStreams } from '../../support/corpus.ts';
import {
  brokenJson,
  leaked,
  type Planted,
  plantedDoc,
  plantedSecret,
} from '../../support/planted.ts';

const exchanges = loadExchanges();
const streams = [...loadStreams(), ...exchanges.streams];
const responses = [...loadResponses(), ...exchanges.responses];
const requests = exchanges.requests;
const expected = JSON.parse(readFileSync(join(CORPUS_DIR, 'expected-findings.json'), 'utf8')) as {
  file: string;
  events: number[];
  detector: string;
}[];

/** Default redaction, as record() and the listener build it (no environment secrets to match). */
const redactor = () => createRedactor({ env: {} });

function redactStream(events: StreamEvent[]): StreamEvent[] {
  const s = redactor().stream();
  return [...events.flatMap((e) => s.push(e)), ...s.flush()];
}

interface Change {
  file: string;
  event: number;
  detectors: string[];
}

describe('clean corpus: default redaction changes nothing but listed PII', () => {
  test('the corpus is there and large enough to mean something', () => {
    expect(streams.length).toBeGreaterThanOrEqual(80);
    expect(responses.length).toBeGreaterThanOrEqual(80);
    expect(streams.reduce((n, s) => n + s.events.length, 0)).toBeGreaterThan(5000);
  });

  test('0 false positives: every event and body comes back unchanged unless expected', () => {
    const changes: Change[] = [];
    for (const s of streams) {
      const out = redactStream(s.events);
      expect(out).toHaveLength(s.events.length);
      out.forEach((e, i) => {
        const before = JSON.stringify(s.events[i]!.data);
        if (JSON.stringify(e.data) === before) return;
        // A change must never corrupt what it changed (issue 14: `\n` swallowed by an e-mail).
        expect(brokenJson(s.events[i]!.data, e.data)).toEqual([]);
        const detectors = detectSecrets(before).map((f) => f.detector);
        changes.push({ file: s.file, event: i, detectors });
      });
    }
    for (const res of responses) {
      if (JSON.stringify(redactor().value(res.body)) !== JSON.stringify(res.body)) {
        changes.push({
          file: res.file,
          event: -1,
          detectors: detectSecrets(JSON.stringify(res.body)).map((f) => f.detector),
        });
      }
    }
    for (const req of requests) {
      const r = redactor();
      const same =
        r.url(req.url) === req.url &&
        JSON.stringify(r.headers(req.headers)) === JSON.stringify(req.headers) &&
        JSON.stringify(r.value(req.body)) === JSON.stringify(req.body);
      if (!same) changes.push({ file: req.file, event: -2, detectors: [] });
    }
    const falsePositives = changes.filter(
      (c) =>
        !expected.some(
          (x) =>
            x.file === c.file &&
            x.events.includes(c.event) &&
            c.detectors.every((d) => d === x.detector),
        ),
    );
    const total = streams.length + responses.length;
    console.info(
      `[precision gate] clean corpus: ${total} exchanges (${streams.length} streams, ${responses.length} bodies, ${requests.length} real requests with headers and URLs), ${changes.length} expected PII change(s), ${falsePositives.length} false positive(s)`,
    );
    expect(falsePositives).toEqual([]);
    // The expected list is not stale: each listed finding is still found.
    expect(changes.length).toBe(expected.reduce((n, x) => n + x.events.length, 0));
  });
});

/** Every string leaf of a JSON value, by path. */
function stringPaths(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []) {
  if (typeof v === 'string') out.push(path);
  else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) stringPaths(x, [...path, i], out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) stringPaths(x, [...path, k], out);
  }
  return out;
}

function getAt(root: unknown, path: (string | number)[]): string {
  let cur = root as Record<string | number, unknown>;
  for (const p of path) cur = cur[p] as Record<string | number, unknown>;
  return cur as unknown as string;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Separators a secret can follow in real text: escapes and plain. */
const SEPARATORS = ['\n', ' ', '\t', '"', ': ', '\n\n', '('];

interface Copy {
  name: string;
  planted: Planted[];
  written: string;
}

/** Plants across two fragments of one real channel: the secret is never whole in one event. */
function plantSplit(
  events: StreamEvent[],
  secret: Planted,
  pick: number,
  cut: number,
  sep: string,
): StreamEvent[] | undefined {
  const byChannel = new Map<string, { event: number; path: (string | number)[] }[]>();
  events.forEach((e, i) => {
    for (const ref of deltaRefs(e.data)) {
      const list = byChannel.get(ref.channel) ?? [];
      list.push({ event: i, path: ref.path });
      byChannel.set(ref.channel, list);
    }
  });
  // Two fragments in a row of one channel with no close between them (`content_block_stop`, a
  // `*.done`, a finish reason): a provider never continues a text across its close.
  const pairs = [...byChannel.entries()].flatMap(([channel, frags]) =>
    frags.slice(1).flatMap((b, i) => {
      const a = frags[i]!;
      // A close applies after its event's own text: `a` must not close, `b` may.
      const closed = events.slice(a.event, b.event).some((e) => closedChannels(e.data)(channel));
      return closed ? [] : [[a, b] as const];
    }),
  );
  if (pairs.length === 0) return undefined;
  const [a, b] = pairs[pick % pairs.length]!;
  const text = `${sep}${secret.text}${sep}`;
  const c = 1 + (cut % (text.length - 1));
  const copy = clone(events);
  setAt(copy[a.event]!.data, a.path, getAt(copy[a.event]!.data, a.path) + text.slice(0, c));
  setAt(copy[b.event]!.data, b.path, text.slice(c) + getAt(copy[b.event]!.data, b.path));
  return copy;
}

/** Appends a nested JSON document (secrets after escapes, JSON in strings) to a string leaf. */
function plantNested(root: unknown, json: string, pick: number): boolean {
  const paths = stringPaths(root).filter((p) => p.length > 0);
  if (paths.length === 0) return false;
  const path = paths[pick % paths.length]!;
  setAt(root, path, `${getAt(root, path)}\n${json}`);
  return true;
}

const PLANTS = fc.record({
  split: plantedSecret,
  nested: plantedDoc(3),
  header: plantedSecret,
  query: plantedSecret,
  body: plantedDoc(2),
  pick: fc.nat(),
  cut: fc.nat(),
  sep: fc.constantFrom(...SEPARATORS),
});

function plantedCopies(): Copy[] {
  const samples = fc.sample(PLANTS, {
    seed: 23,
    numRuns: 3 * (streams.length + responses.length) + requests.length,
  });
  const copies: Copy[] = [];
  let n = 0;
  for (const s of streams) {
    for (let k = 0; k < 3; k++) {
      const p = samples[n++]!;
      const planted: Planted[] = [];
      let events = clone(s.events);
      // Nested first, then the split: the split's two halves stay adjacent in their channel.
      const target = events[p.pick % Math.max(1, events.length)];
      if (
        typeof target?.data === 'object' &&
        plantNested(target.data, p.nested.json, p.pick >> 2)
      ) {
        planted.push(...p.nested.planted);
      }
      const split = plantSplit(events, p.split, p.pick, p.cut, p.sep);
      if (split) {
        events = split;
        planted.push(p.split);
      }
      const r = redactor();
      const request = r.step({
        type: 'model.request',
        correlation_id: 'c1',
        offset_ms: 0,
        provider: s.provider,
        endpoint: 'planted',
        method: 'POST',
        url: `/v1/planted?alt=sse&key=${encodeURIComponent(p.query.text)}`,
        transport: 'http',
        stream: true,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${p.header.secret}`,
          'x-debug-note': `retry with ${p.header.text}`,
        },
        body: { input: [{ type: 'function_call_output', call_id: 'c1', output: p.body.json }] },
      } as StepInput);
      planted.push(p.header, p.query, ...p.body.planted);
      const written = JSON.stringify([request, redactStream(events)]);
      copies.push({ name: `${s.file} #${k}`, planted, written });
    }
  }
  // Real requests (their own headers, URL and body) with a key in a header, the query and the body.
  for (const req of requests) {
    const p = samples[n++]!;
    const r = redactor();
    const sep = req.url.includes('?') ? '&' : '?';
    const written = JSON.stringify([
      r.url(`${req.url}${sep}key=${encodeURIComponent(p.query.text)}`),
      r.headers({ ...req.headers, 'x-goog-api-key': p.header.secret, 'X-Debug': p.header.text }),
      r.value([...(req.body as unknown[]), { note: p.body.json }]),
    ]);
    copies.push({ name: req.file, planted: [p.header, p.query, ...p.body.planted], written });
  }
  for (const res of responses) {
    for (let k = 0; k < 3; k++) {
      const p = samples[n++]!;
      const body = clone(res.body);
      if (!plantNested(body, p.nested.json, p.pick)) continue;
      const written = JSON.stringify(redactor().value(body));
      copies.push({ name: `${res.file} #${k}`, planted: p.nested.planted, written });
    }
  }
  return copies;
}

describe('planted corpus: every planted secret is caught', () => {
  test('100 % recall: split across deltas, nested JSON after escapes, headers, query, bodies', () => {
    const copies = plantedCopies();
    const total = copies.reduce((n, c) => n + c.planted.length, 0);
    const missed = copies.flatMap((c) =>
      leaked(c.written, c.planted).map((p) => `${c.name}: ${p.detector}`),
    );
    const recall = ((total - missed.length) / total) * 100;
    console.info(
      `[precision gate] planted corpus: ${copies.length} copies, ${total} planted secrets, recall ${recall.toFixed(2)} %`,
    );
    expect(total).toBeGreaterThan(1000);
    expect(missed).toEqual([]);
  });
});
