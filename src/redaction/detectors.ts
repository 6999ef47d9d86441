/**
 * The secret and PII detectors shared by redaction and `replaypack scan`. Detector names are a
 * public contract (scan output, docs/REDACTION.md): never rename one.
 *
 * Every pattern starts behind a lookbehind that forbids a start in the middle of a token, which
 * keeps matching linear: a long run of token characters is tried from its first character only
 * (test/unit/redaction/linear.test.ts throws long random inputs at them).
 */
import { type EnvSecret, envSecrets } from './env.ts';
import { decodedView } from './escapes.ts';
import {
  checkCard,
  checkEmail,
  checkGithubToken,
  checkJwt,
  checkPhone,
  describeCard,
  describeEmail,
  describePhone,
  hasDigit,
  plausibleAssignment,
} from './validators.ts';

export interface Finding {
  detector: string;
  start: number;
  end: number;
  /** PII only: what kind of value matched (`e-mail address at a .com domain`), never the value. */
  matched?: string;
}

export interface DetectOptions {
  /** Emails, phone numbers and card numbers. Default true. */
  pii?: boolean;
  /** Environment whose secret-looking values (`*KEY`, `*TOKEN`, ...) are detected. Default process.env. */
  env?: Record<string, string | undefined>;
}

interface Detector {
  name: string;
  re: RegExp;
  /** Which capture group is the secret (default: the whole match). */
  group?: number;
  pii?: boolean;
  check?: (secret: string) => boolean;
  /** PII: says what matched without the value, so `scan` can be judged without revealing it. */
  describe?: (value: string) => string;
}

const T = '(?<![A-Za-z0-9_-])';

/** Order matters only for ties: the first detector names a span two of them found. */
const DETECTORS: Detector[] = [
  { name: 'anthropic-key', re: new RegExp(`${T}sk-ant-[A-Za-z0-9_-]{20,}`, 'g') },
  {
    name: 'openai-key',
    re: new RegExp(`${T}sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, 'g'),
  },
  // Exact provider formats (issue 23): a Google key is `AIza` and 35 more characters.
  { name: 'google-api-key', re: new RegExp(`${T}AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])`, 'g') },
  {
    // 36 characters whose last 6 are a CRC32 of the first 30; fine-grained: 22 `_` 59.
    name: 'github-token',
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/g,
    check: checkGithubToken,
  },
  { name: 'slack-token', re: new RegExp(`${T}xox[abposre]-[A-Za-z0-9-]{10,}`, 'g') },
  { name: 'aws-access-key-id', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  {
    name: 'aws-secret-key',
    re: /(?:aws_?)?secret_?access_?key\\?["']?\s*[:=]\s*\\?["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/dgi,
    group: 1,
  },
  {
    name: 'jwt',
    re: new RegExp(`${T}eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*`, 'g'),
    check: checkJwt,
  },
  {
    // With its END line when there is one; else the header and the base64 that follows, so a
    // truncated key (a stream window, one line of a scanned file) is still caught.
    name: 'pem-private-key',
    // The body is base64 plus the `Proc-Type:`/`DEK-Info:` lines of encrypted keys; it stops at
    // the next `-----`, so a run of headers without END lines stays linear.
    re: /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----(?:[A-Za-z0-9+/=\s:,]|\\[rn]|-(?!----)){0,16000}(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g,
  },
  {
    name: 'bearer-token',
    re: /(?<![A-Za-z0-9_-])bearer\s+([A-Za-z0-9._~+/-]{16,}=*)/dgi,
    group: 1,
    check: hasDigit,
  },
  {
    // `"api_key": "..."`, also JSON-escaped inside a JSON string (tool arguments in a cassette).
    name: 'secret-assignment',
    re: /(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]*(?:api[_-]?key|secret|password|passwd|access[_-]?token|auth[_-]?token|refresh[_-]?token|session[_-]?token|private[_-]?key)\\?["']?\s*[:=]\s*\\?["']([^"'\s\\]{8,512})\\?["']/dgi,
    group: 1,
    check: plausibleAssignment,
  },
  {
    // Shell and .env style: `GITHUB_TOKEN=ghp_...` in a tool's output.
    name: 'secret-assignment',
    re: /(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)=([^\s"'`$]{8,512})/dg,
    group: 1,
    check: plausibleAssignment,
  },
  {
    name: 'email',
    re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
    pii: true,
    check: checkEmail,
    describe: describeEmail,
  },
  {
    name: 'phone',
    re: /(?<![\w.+/-])\+?\(?\d[\d ().-]{6,22}\d(?![\w])/g,
    pii: true,
    check: checkPhone,
    describe: describePhone,
  },
  {
    name: 'card-number',
    re: /(?<![\w+/.-])(?:\d[ -]?){12,18}\d(?![\w+/-])/g,
    pii: true,
    check: checkCard,
    describe: describeCard,
  },
];

/** A prepared detector set: build it once per redactor, not per string. */
export function createDetector(options: DetectOptions = {}): (text: string) => Finding[] {
  const pii = options.pii ?? true;
  const active = DETECTORS.filter((d) => pii || !d.pii);
  const env = envSecrets(options.env ?? process.env);
  return (text) => {
    // Detection runs on decoded text (issue 14): spans come back in raw positions, never
    // inside an escape.
    const view = decodedView(text);
    const found = detectWith(view.text, active, env);
    if (view.text === text) return found;
    for (const f of found) {
      f.start = view.toRaw(f.start);
      f.end = view.toRaw(f.end);
    }
    return found;
  };
}

/** Every secret-looking span of `text`, sorted, overlapping spans merged. */
export function detectSecrets(text: string, options?: DetectOptions): Finding[] {
  return createDetector(options)(text);
}

function detectWith(text: string, detectors: Detector[], env: EnvSecret[]): Finding[] {
  const found: Finding[] = [];
  for (const d of detectors) {
    d.re.lastIndex = 0;
    for (const m of text.matchAll(d.re)) {
      const span = d.group === undefined ? undefined : m.indices?.[d.group];
      const start = span ? span[0] : m.index;
      const end = span ? span[1] : m.index + m[0].length;
      const value = text.slice(start, end);
      if (d.check && !d.check(value)) continue;
      found.push(
        d.describe
          ? { detector: d.name, start, end, matched: d.describe(value) }
          : { detector: d.name, start, end },
      );
      if (d.name === 'aws-access-key-id') pairedAwsSecret(text, end, found);
    }
  }
  for (const { name, value } of env) {
    for (let i = text.indexOf(value); i !== -1; i = text.indexOf(value, i + value.length)) {
      found.push({ detector: `env:${name}`, start: i, end: i + value.length });
    }
  }
  return merge(found);
}

const AWS_SECRET_NEAR = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/g;

/** An AWS secret key is 40 base64 characters: only credible right after its key id. */
function pairedAwsSecret(text: string, from: number, found: Finding[]): void {
  const window = text.slice(from, from + 300);
  for (const m of window.matchAll(AWS_SECRET_NEAR)) {
    const s = m[0];
    if (/[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9/+]/.test(s)) {
      found.push({ detector: 'aws-secret-key', start: from + m.index, end: from + m.index + 40 });
    }
  }
}

const PII_NAMES = new Set(DETECTORS.filter((d) => d.pii).map((d) => d.name));

function merge(found: Finding[]): Finding[] {
  if (found.length < 2) return found;
  // Stable sort keeps detector order among equal spans, so the first detector names a tie.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of found) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      // `https://ghp_...@github.com` is a token that looks like an email: name the worse finding.
      if (PII_NAMES.has(last.detector) && !PII_NAMES.has(f.detector)) {
        last.detector = f.detector;
        delete last.matched;
      }
    } else out.push({ ...f });
  }
  return out;
}
