/**
 * Names that say "this is a secret": JSON keys in bodies, query parameters and headers. Matching
 * is on the name lower-cased with `_` and `-` removed, so `api_key`, `apiKey` and `API-KEY` agree.
 */
const EXACT = new Set([
  'apikey',
  'xapikey',
  'xgoogapikey',
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'privatekey',
  'secretkey',
  'secretaccesskey',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'bearertoken',
  'sessiontoken',
  'securitytoken',
  'cookie',
  'setcookie',
]);

/** `openai_api_key`, `db_password`, `github_token`; not `max_tokens` or `prompt_cache_key`. */
const SUFFIX =
  /(?:apikey|secret|password|passwd|privatekey|secretkey|accesskey|accesstoken|authtoken|refreshtoken|sessiontoken|^[a-z]*(?:github|gitlab|slack|bot|hf|npm|api|auth)token)$/;

export function normaliseKey(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** A JSON key or query parameter whose value is a secret whatever it looks like. */
export function isSecretKey(name: string): boolean {
  const k = normaliseKey(name);
  return EXACT.has(k) || SUFFIX.test(k);
}

/** Query parameters that carry credentials or signatures (`?key=` is how Gemini takes a key). */
const QUERY = new Set([
  'key',
  'token',
  'sig',
  'signature',
  'code',
  'auth',
  'xamzsignature',
  'xamzcredential',
  'xamzsecuritytoken',
  'xgoogsignature',
  'xgoogcredential',
]);

export function isSecretQueryParam(name: string): boolean {
  return QUERY.has(normaliseKey(name)) || isSecretKey(name);
}

export const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  // AWS temporary credentials (Bedrock): the session token that goes with a SigV4 signature.
  'x-amz-security-token',
  'cookie',
  'set-cookie',
];

/** Account identifiers: not keys, but they tie a cassette to an organisation. */
export const ORG_HEADERS = [
  'openai-organization',
  'openai-project',
  'anthropic-organization-id',
  'x-goog-user-project',
];
