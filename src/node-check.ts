/**
 * Imported first, for its effect, by entry points whose other imports already need Node 22 at
 * load time (the listener, through execa) or run inside a test runner's setup: an older Node
 * stops here with the one clear message of node-version.ts, before anything else is evaluated.
 */
import { assertSupportedNode } from './node-version.ts';

assertSupportedNode();
