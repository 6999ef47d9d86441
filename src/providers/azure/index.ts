/**
 * Azure OpenAI (`AzureOpenAI` from `openai`, `@ai-sdk/azure`): OpenAI's wire format on Azure's
 * paths, so everything but routes, hosts and headers is the OpenAI module's.
 */
import type { ProviderModule } from '../module.ts';
import openai from '../openai/index.ts';
import { headerOf } from '../util.ts';
import { detectAzure, looksAzure, ROUTES } from './routes.ts';

const azure: ProviderModule = {
  ...openai,
  name: 'azure',
  detect: detectAzure,
  routes: ROUTES,
  // Resources are per customer (`{resource}.openai.azure.com`): no fixed host.
  hosts: [],
  sentBySdk: (headers) => /^AzureOpenAI\//i.test(headerOf(headers, 'user-agent') ?? ''),

  // A placeholder: `--upstream azure=https://{resource}.openai.azure.com` names the resource.
  upstream: 'https://YOUR-RESOURCE.openai.azure.com',
  upstreamPath: undefined,
  expectsErrorShape: (url, headers) =>
    url.startsWith('/openai/') &&
    looksAzure(
      headers,
      [...new URL(url, 'http://x').searchParams].map((p) => p),
    ),
  // AzureOpenAI reads the resource endpoint and builds `/openai/...` on it.
  routingEnv: (url) => ({ AZURE_OPENAI_ENDPOINT: url }),
  // @ai-sdk/azure reads only a resource name (AZURE_RESOURCE_NAME), never a base URL.
  codeOptions: (url) => [`@ai-sdk/azure: createAzure({ baseURL: '${url}/openai' })`],
  envByDefault: false,

  requestId: (headers) =>
    headerOf(headers, 'x-request-id') ?? headerOf(headers, 'apim-request-id') ?? null,

  volatile: {
    ...openai.volatile,
    headers: [
      ...openai.volatile.headers,
      /^(apim-request-id|azureml-model-session|x-ms-region|x-ms-client-request-id)$/,
      /^x-ms-rai-/,
    ],
  },
  redaction: {
    ...openai.redaction,
    keepHeaders: [...openai.redaction.keepHeaders, /^x-ms-/, /^apim-request-id$/],
    secretHeaders: [/^api-key$/],
  },
};

export default azure;
