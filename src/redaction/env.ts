/**
 * The capturing process's own secrets: whatever the user exported as `*KEY`, `*TOKEN`, `*SECRET`
 * or `*PASSWORD` is redacted wherever it appears, even when no pattern knows its shape.
 */
export interface EnvSecret {
  name: string;
  value: string;
}

const SECRET_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)$/i;
/** Too short or too plain to be a secret; redacting `true` or `8080` everywhere would wreck traffic. */
const TRIVIAL = /^(?:\d+|true|false|yes|no|on|off|null|undefined|none)$/i;
const MIN_LENGTH = 8;

export function envSecrets(env: Record<string, string | undefined>): EnvSecret[] {
  const out: EnvSecret[] = [];
  for (const [name, raw] of Object.entries(env)) {
    const value = raw?.trim();
    if (!value || value.length < MIN_LENGTH || TRIVIAL.test(value)) continue;
    if (SECRET_NAME.test(name)) out.push({ name, value });
  }
  // Longest first, so a value that contains another is reported under its own name.
  return out.sort((a, b) => b.value.length - a.value.length);
}
