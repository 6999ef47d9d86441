/**
 * Vertex AI Gemini (`@google/genai` with `vertexai: true`): the Gemini wire format on aiplatform
 * paths, authorised by an OAuth bearer token (redacted like every `authorization`), so all but
 * routes, hosts and routing is the Gemini module's.
 */
import gemini from '../gemini/index.ts';
import type { ProviderModule } from '../module.ts';
import { detectVertex, ROUTES } from './routes.ts';

const REGIONS = [
  'us-central1',
  'us-east1',
  'us-east4',
  'us-west1',
  'us-west4',
  'europe-west1',
  'europe-west4',
  'asia-northeast1',
  'asia-southeast1',
];

const vertex: ProviderModule = {
  ...gemini,
  name: 'vertex',
  detect: detectVertex,
  routes: ROUTES,
  envByDefault: false,
  hosts: ['aiplatform.googleapis.com', ...REGIONS.map((r) => `${r}-aiplatform.googleapis.com`)],
  // Gemini's SDK headers are the same: the Gemini module (earlier in the registry) claims them.
  sentBySdk: () => false,

  upstream: 'https://us-central1-aiplatform.googleapis.com',
  expectsErrorShape: (url) => /^\/v1(?:beta1)?\/projects\//.test(url),
  // @google/genai reads this for Vertex when no httpOptions.baseUrl is given.
  routingEnv: (url) => ({ GOOGLE_VERTEX_BASE_URL: url }),

  redaction: {
    ...gemini.redaction,
    keepHeaders: [...gemini.redaction.keepHeaders, /^x-vertex-/],
  },
};

export default vertex;
