/**
 * Redaction, minimisation and secret scanning (docs/REDACTION.md). The recorder, the listener and
 * ingestion pass every step through `createRedactor().step()` before anything is written or
 * logged; `replaypack scan` uses the same detectors.
 */

export type { DetectOptions, Finding } from './detectors.ts';
export { createDetector, detectSecrets } from './detectors.ts';
export { minimizeAgentHeader, minimizeHeaders } from './headers.ts';
export { fingerprint, marker } from './marker.ts';
export type { BlobRef } from './minimize.ts';
export { BLOB_THRESHOLD, isBlobRef, minimize, toBlob } from './minimize.ts';
export type { CaptureMode, RedactionPolicy, Redactor, RedactorOptions } from './redactor.ts';
export { CAPTURE_FULL_WARNING, createRedactor } from './redactor.ts';
export type { ScanFinding } from './scan.ts';
export { scanFile } from './scan.ts';
export type { StreamOptions, StreamRedactor } from './stream.ts';
