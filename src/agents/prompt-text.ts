/**
 * The volatile parts of a coding agent's prompt text (issue 17): what differs when the same
 * session runs on another day, in another folder, with another HOME / CODEX_HOME, on another
 * machine. Rules are anchored on the agent's own wording (a sentence, a tag, a list item), never
 * on a bare date or path in free text: a date or a path the user typed is the conversation and
 * must still diverge when it changes.
 *
 * Paths are found in the request itself (the folder Claude Code names as its working directory,
 * Codex's <cwd>, the memory and skills folders under the homes) and then replaced wherever they
 * occur in it, tool outputs included: a `pwd` run elsewhere prints another folder.
 */
import { isRecord } from './util.ts';

export type PromptAgent = 'codex' | 'claude-code';

/** Paths and ids of one request, found in its own text and headers. */
export interface PromptContext {
  /** [found, placeholder], longest first. */
  paths: [string, string][];
  ids: string[];
}

export const EMPTY_CONTEXT: PromptContext = { paths: [], ids: [] };

const V = '<volatile>';

// Where each agent names its folders. A path is at least one segment deep ("/" names nothing).
const PATH = String.raw`(/[^\s\`'"<>]*[^\s\`'"<>/.,;:)])`;
const FINDERS: { re: RegExp; kind: 'cwd' | 'home' | 'codex_home'; group?: number }[] = [
  // Claude Code: " - Primary working directory: /x/y"
  { re: new RegExp(`Primary working directory: ${PATH}`, 'g'), kind: 'cwd' },
  // Claude Code: "memory at `/home/u/.claude/projects/-x-y/memory/`" (HOME, then the cwd slug)
  { re: new RegExp(String.raw`${PATH}/\.claude/projects/`, 'g'), kind: 'home' },
  // Codex: <cwd>/x/y</cwd>, <root>/x/y</root>
  { re: new RegExp(`<(?:cwd|root)>${PATH}</(?:cwd|root)>`, 'g'), kind: 'cwd' },
  // Codex: "- `r0` = `/codex/home/skills/.system`"
  { re: new RegExp(String.raw`${PATH}/skills/\.system\b`, 'g'), kind: 'codex_home' },
];

/** Claude Code names a project's folder by its path with every other character a dash. */
export const slugOf = (path: string) => path.replace(/[^a-zA-Z0-9]/g, '-');

/** Paths named in `texts` and the per-session ids given (header values), for `normalizeText`. */
export function discoverContext(
  texts: Iterable<string>,
  ids: Iterable<string> = [],
): PromptContext {
  const found = new Map<string, string>();
  for (const text of texts) {
    if (!text.includes('/')) continue;
    for (const { re, kind } of FINDERS) {
      for (const m of text.matchAll(re)) {
        const path = m[1]!;
        if (path.length < 2 || found.has(path)) continue;
        found.set(path, `<${kind}>`);
        if (kind === 'cwd') found.set(slugOf(path), '<cwd-slug>');
      }
    }
  }
  const paths = [...found].sort((a, b) => b[0].length - a[0].length);
  // Ids short enough to occur by chance in ordinary text are left alone.
  const kept = [...new Set(ids)].filter((id) => id.length >= 16);
  return { paths, ids: kept };
}

/** Every string leaf of a JSON value, blobs' prefixes left out (they are not text). */
export function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* stringsOf(v);
  else if (isRecord(value)) {
    if (isRecord(value.$rk_blob)) return;
    for (const v of Object.values(value)) yield* stringsOf(v);
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Characters that may continue a path: a found path is replaced only where it ends.
const PATH_END = String.raw`(?![\w.-])`;

function replaceContext(text: string, ctx: PromptContext): string {
  let out = text;
  for (const [path, placeholder] of ctx.paths) {
    if (!out.includes(path)) continue;
    // A slug is a name inside a path; a path may be the start of a longer one.
    out = out.replace(new RegExp(`${escapeRe(path)}${PATH_END}`, 'g'), placeholder);
  }
  for (const id of ctx.ids) if (out.includes(id)) out = out.split(id).join('<session>');
  return out;
}

/** Claude Code's own sentences and list items (2.1.x). */
const CLAUDE_CODE_RULES: [RegExp, string][] = [
  // The date reminder: "Today's date is 2026-12-04." (some versions write 2026/12/04)
  [/(Today's date is )\d{4}[-/]\d{2}[-/]\d{2}/g, `$1${V}`],
  // The environment block: " - Platform: linux", " - OS Version: Linux 6.18 ...", ...
  [/^(\s*-?\s*(?:Platform|Shell|OS Version|Is a git repository): ).*$/gm, `$1${V}`],
  // The git context: branch, status and recent commits of the folder it was started in.
  [
    /^(# gitStatus\n)[\s\S]*?(?=\n\n(?:Claude Code attached|# )|\n?<\/system-reminder>|$(?![\s\S]))/gm,
    `$1${V}`,
  ],
  [
    /^(gitStatus: )[\s\S]*?(?=\n\n(?:Claude Code attached|# )|\n?<\/system-reminder>|$(?![\s\S]))/gm,
    `$1${V}`,
  ],
  // The attribution fingerprint: "x-anthropic-billing-header: cc_version=2.1.330.73a; ..."
  [/^x-anthropic-billing-header:[^\n]*/gm, V],
];

/** Codex's <environment_context> tags (0.16x) and its tools' run times. */
const CODEX_RULES: [RegExp, string][] = [
  [/<(current_date|timezone|shell)>[^<]*<\/\1>/g, `<$1>${V}</$1>`],
  // Tool outputs report how long the tool ran ("Wall time 0.3 seconds"): never the same twice.
  [/(Wall time:? )\d+(?:\.\d+)?( seconds?)/g, `$1${V}$2`],
  [/<(git_branch|git_status|branch)>[^<]*<\/\1>/g, `<$1>${V}</$1>`],
];

const RULES: Record<PromptAgent, [RegExp, string][]> = {
  'claude-code': CLAUDE_CODE_RULES,
  codex: CODEX_RULES,
};

/** One prompt text with its volatile parts replaced. Pure: the same text always gives the same. */
export function normalizeText(agent: PromptAgent, text: string, ctx: PromptContext): string {
  let out = replaceContext(text, ctx);
  for (const [re, to] of RULES[agent]) out = out.replace(re, to);
  return out;
}
