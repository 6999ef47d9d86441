/** Small server-side helpers of the gateway: binding with clear errors, secrets, URLs. */
import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import { cliName } from '../cli-name.ts';
import { ExitCode, ReplayKitError } from '../errors.ts';

export function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function urlFor(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Listens, turning a busy port into the documented exit-4 error that says what to do. */
export function bindServer(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new ReplayKitError(
            'E_PORT_BUSY',
            `Failed to start the listener: port ${port} on ${host} is already in use. Stop the program using it ("${cliName()} listen status" shows a running listener), choose another --port, or pass --port 0 to pick a free one.`,
            { exitCode: ExitCode.environment, cause: error },
          ),
        );
      } else {
        reject(
          new ReplayKitError(
            'E_LISTEN',
            `Failed to start the listener on ${host}:${port}: ${error.message}. Check --host and --port.`,
            { cause: error },
          ),
        );
      }
    });
    server.listen(port, host, () => resolve());
  });
}
