/**
 * Tool results carried back in a request, found by the route's provider module. Clients resend
 * the whole conversation each turn, so only the results after the model's last turn are new:
 * those become `tool.response` steps (older ones were recorded with the request that first
 * carried them).
 */
import type { RouteInfo } from './module.ts';
import { providerModule } from './registry.ts';
import { isRecord } from './util.ts';

export interface ToolResult {
  call_id: string | null;
  name: string | null;
  kind: string;
  output: unknown;
  is_error?: boolean;
}

export function toolResultsOf(route: RouteInfo, body: unknown): ToolResult[] {
  if (!isRecord(body)) return [];
  return providerModule(route.provider)?.toolResults(route, body) ?? [];
}
