/**
 * `openReplay(cassette, options)`: the one way a cassette is opened for replay (issue 16 item 2).
 * `record()`'s replay mode, the listener's `--mode replay`, `handlersFromCassette` (msw),
 * self-replay, `expectReplayParity` and the CLI (`replaypack replay|assert`) all open it here,
 * with the same options and the same bounded memory: a large cassette is indexed on disk
 * (./index-file.ts) and each response read back when it is served. Before, five consumers wired
 * the engine up five ways and drifted apart (two loaded whole files; the listener read only part
 * of the header).
 */
import { iterateCassette } from '../cassette/reader.ts';
import type { ModelResponse, RunHeader, Step } from '../cassette/schema.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { normalizeRequest, ProviderHosts } from '../providers/index.ts';
import type { RedactorOptions } from '../redaction/index.ts';
import {
  IN_MEMORY_BELOW,
  loadReplaySource,
  loadResponse,
  type ReplaySource,
  type StoredResponse,
} from './index-file.ts';
import { type MatchOptions, ReplayMatcher } from './matcher.ts';
import { MintedBindings } from './minted.ts';

export interface ReplayOptions extends MatchOptions {
  /** How reports name the cassette (default: the path as given). */
  name?: string;
  /** Client-minted ids bound across this replay (parity shares them with its trace). */
  bindings?: MintedBindings;
  /** Below this many bytes the cassette is held in memory whole; default 16 MiB. */
  inMemoryBelow?: number;
}

export interface OpenedReplay {
  /** The cassette's path. */
  readonly file: string;
  /** How reports name it. */
  readonly name: string;
  /** The whole run header: redaction policy, capture kind, tool, meta. */
  readonly header: RunHeader;
  readonly source: ReplaySource;
  readonly matcher: ReplayMatcher;
  /** Provider origins the cassette recorded (replay lets nothing through to them). */
  readonly hosts: ProviderHosts;
  /** Responses stay on disk until served (the cassette was over `inMemoryBelow`). */
  readonly onDisk: boolean;
  /** The recorded response, read back from the file when it is not held. */
  response(stored: StoredResponse): Promise<ModelResponse>;
  /**
   * Every recorded step in file order, read from the file one at a time (for traces and counts:
   * memory stays bounded by the open streams, not the file).
   */
  steps(): AsyncIterable<Step>;
  /**
   * How live requests must be redacted and minimised to compare with this cassette: as it was
   * recorded (its header's policy and `pii`), unless `explicit` says otherwise.
   */
  redaction(explicit?: RedactorOptions): RedactorOptions;
}

export async function openReplay(
  cassette: string,
  options: ReplayOptions = {},
): Promise<OpenedReplay> {
  const limit = options.inMemoryBelow ?? IN_MEMORY_BELOW;
  const source = await loadReplaySource(cassette, { inMemoryBelow: limit });
  const { header } = source;
  const { name, bindings, inMemoryBelow: _limit, ...match } = options;
  const matcher = new ReplayMatcher(
    name ?? cassette,
    source,
    normalizeRequest,
    match,
    bindings ?? new MintedBindings(),
  );
  const onDisk = [...source.responses.values()].some((r) => !('step' in r));
  return {
    file: cassette,
    name: name ?? cassette,
    header,
    source,
    matcher,
    hosts: ProviderHosts.of(source.requests),
    onDisk,
    response: loadResponse,
    steps: () => recordedSteps(cassette),
    redaction(explicit) {
      const recorded: RedactorOptions = {
        capture: header.redaction.policy === 'full' ? 'full' : 'minimal',
        ...(header.redaction.pii === undefined ? {} : { pii: header.redaction.pii }),
      };
      return { ...recorded, ...explicit };
    },
  };
}

/** A cassette's steps in file order, one at a time (memory bounded by its open streams). */
export async function* recordedSteps(file: string): AsyncGenerator<Step> {
  for await (const entry of iterateCassette(file, { normalize: normalizeStep })) {
    if (entry.kind === 'step') yield entry.step;
  }
}
