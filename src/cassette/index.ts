/** The cassette layer: the .rpk format, its reader and writer, and the canonical hash. */
export { createRunCassette, runArtifactName } from './artifact.ts';
export {
  type CanonicalHasher,
  canonicalHash,
  canonicalStep,
  canonicalSteps,
  createCanonicalHasher,
  type Normalizer,
} from './canonical.ts';
export { CassetteReadError, CassetteWriteError } from './errors.ts';
export {
  type Cassette,
  type CassetteEntry,
  iterateCassette,
  type ReadOptions,
  readCassette,
} from './reader.ts';
export * from './schema.ts';
export { type CassetteSummary, formatSummary, summarizeCassette } from './summary.ts';
export {
  type CassetteWriter,
  createCassetteWriter,
  type StreamEnd,
  type StreamHead,
  type WriterOptions,
} from './writer.ts';
