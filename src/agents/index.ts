/**
 * Coding agents (docs/AGENTS.md): ingestion of `codex exec --json` JSONL and
 * `claude -p --output-format stream-json --verbose` NDJSON into cassette steps, correlated with
 * the model steps captured for the same session.
 */

export type { IngestCassetteOptions, IngestCassetteResult } from './cassette.ts';
export { ingestToCassette } from './cassette.ts';
export { mapClaudeCodeEvent } from './claude-code.ts';
export { mapCodexEvent } from './codex.ts';
export { ModelStepIndex } from './correlate.ts';
export type { IngestOptions, IngestSummary } from './ingest.ts';
export { AgentIngester, ingestLines, ingestText } from './ingest.ts';
export type { AgentName, Draft, Link } from './types.ts';
export { AGENT_NAMES } from './types.ts';
