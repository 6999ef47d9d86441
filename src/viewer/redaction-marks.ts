/**
 * The markers redaction leaves where a secret was (`[REDACTED:3f9a1c]`, src/redaction/marker.ts),
 * and the PII classes the full policy names: the viewer highlights each of them.
 */
export const REDACTION_MARK = /\[REDACTED(?::[^\]\s]{1,40})?\]/;
export const hasRedaction = (text: string): boolean =>
  text.includes('[REDACTED') && REDACTION_MARK.test(text);
