import type { ListenerState } from '../../../src/listener/state.ts';

/** A valid state file pointing at nothing; tests override what they exercise. */
export function sampleState(overrides: Partial<ListenerState> = {}): ListenerState {
  return {
    version: 1,
    pid: 12345,
    instance_id: 'inst-1',
    control_token: 'ctl-FAKE',
    token: null,
    host: '127.0.0.1',
    port: 1,
    url: 'http://127.0.0.1:1',
    mode: 'live',
    policy: 'live_only',
    fail_on_synthetic: false,
    artifact: null,
    upstreams: {},
    started_at: '2026-11-24T00:00:00.000Z',
    log: null,
    ...overrides,
  };
}
