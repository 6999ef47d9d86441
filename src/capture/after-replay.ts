/**
 * Provider traffic that arrives once a replay scope has ended (issue 13, symptom 6): it is
 * refused, never sent. A request a test started but did not await (the twin of a failed call under
 * `Promise.all`, an SDK that takes a few event-loop turns to reach `fetch`) otherwise reached
 * `fetch` after `record()` had stopped, and went to the network with the app's real key: a real,
 * billed provider call, made by a test that was meant to be offline.
 *
 * The rule (docs/CONTRACT.md, "Unknown routes and hosts"): once a replay scope has run in this
 * process, and until a scope in another mode (record, passthrough, off) starts, a request made
 * while no scope is active that is provider traffic by the replayer's own rule (providers/opaque.ts:
 * a known provider host, a `host:port` a replayed cassette recorded; a modelled route or a provider
 * SDK's headers on any host not on this machine) gets a provider-shaped error saying it came after
 * the scope ended. Everything else passes through.
 *
 * @note Judged on the head alone (method, path, headers, origin), as the record route judges it:
 * a bystander's body is never read.
 */
import { isIP } from 'node:net';
import { ReplayKitError } from '../errors.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { detectRoute, providerErrorBody, sdkOf } from '../providers/index.ts';
import type { ProviderHosts } from '../providers/opaque.ts';
import type { RouteInfo } from '../providers/types.ts';
import { processWide } from './process-wide.ts';

/**
 * The provider origins of every replay scope since the last one in another mode. Process-wide
 * (process-wide.ts): the interceptor that reads them is one per process, while Jest evaluates this
 * module again for every test file.
 */
const state = () =>
  processWide<{ replayed: ProviderHosts[] }>('capture.after-replay', () => ({ replayed: [] }));

/** A replay scope has ended: its provider origins stay refused while no scope is active. */
export function armAfterReplay(hosts: ProviderHosts): void {
  const { replayed } = state();
  if (!replayed.includes(hosts)) replayed.push(hosts);
}

/** A record, passthrough or off scope has started: live traffic is this process's intent again. */
export function disarmAfterReplay(): void {
  state().replayed = [];
}

type Head = Omit<RawRequest, 'body' | 'transport'>;

/** The refusal for `head` (status, headers, provider-shaped body), or `null` to send it. */
export function refuseAfterReplay(head: Head): Response | null {
  const { replayed } = state();
  if (replayed.length === 0) return null;
  const provider = providerOf(replayed, head);
  if (!provider) return null;
  const error = lateError(head);
  return new Response(
    JSON.stringify(
      providerErrorBody(provider, {
        status: 400,
        type: 'invalid_request_error',
        code: 'replaykit_scope_ended',
        message: error.message,
      }),
    ),
    {
      status: 400,
      // SDKs must not retry: the scope will not come back.
      headers: {
        'content-type': 'application/json',
        'x-should-retry': 'false',
        'x-replaykit-error': 'scope-ended',
      },
    },
  );
}

/** Whether `origin` is a provider's by host alone, while refusals are armed. */
export function ownedAfterReplay(origin: string | undefined): boolean {
  return state().replayed.some((hosts) => hosts.owner(origin) !== null);
}

function providerOf(replayed: ProviderHosts[], head: Head): RouteInfo['provider'] | null {
  for (const hosts of replayed) {
    const provider = hosts.owner(head.origin);
    if (provider) return provider;
  }
  // A modelled route or an SDK's headers on another origin: a provider under another name (Azure,
  // a company gateway) unless it is on this machine, where it is a gateway the test talks to on
  // purpose outside any scope (the replaykit listener, a proxy, a fake upstream).
  if (onThisMachine(head.origin)) return null;
  return detectRoute({ ...head, body: null })?.provider ?? sdkOf(head.headers);
}

function onThisMachine(origin: string | undefined): boolean {
  let host: string;
  try {
    host = new URL(origin ?? '').hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Names the request by method, origin and path: a query may hold a key (Gemini's `?key=`). */
export function lateError(head: Head): ReplayKitError {
  const path = head.url.split('?')[0] ?? head.url;
  return new ReplayKitError(
    'E_REPLAY_SCOPE_ENDED',
    `Failed to replay "${head.method.toUpperCase()} ${head.origin ?? ''}${path}": it arrived after the replay scope ended, and replay never lets provider traffic reach the network, so it was refused. Await every call before the scope ends (inside record(options, run), or before rec.stop()); when one of several concurrent calls may fail, use Promise.allSettled rather than Promise.all so the others are awaited too.`,
  );
}
