/**
 * Sends the errors the gateway itself answers with; the provider-shaped bodies come from
 * the provider modules through the registry, shared with the in-process replayer.
 */
import type { ServerResponse } from 'node:http';
import type { ProviderErrorInfo } from '../providers/module.ts';
import { providerErrorBody } from '../providers/registry.ts';
import type { UpstreamProvider } from './options.ts';

export type GatewayErrorInfo = ProviderErrorInfo;
export { providerErrorBody };

export function sendProviderError(
  res: ServerResponse,
  provider: UpstreamProvider,
  info: GatewayErrorInfo,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(providerErrorBody(provider, info));
  res.writeHead(info.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-replaykit-error': info.code,
  });
  res.end(body);
}
