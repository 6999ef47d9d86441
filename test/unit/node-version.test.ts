import { describe, expect, test } from 'vitest';
import { assertSupportedNode, nodeVersionProblem } from '../../src/node-version.ts';

describe('the Node.js version check', () => {
  test('Node 22.12 and newer pass', () => {
    for (const v of ['22.12.0', '22.20.1', '23.0.0', '24.11.1', '26.0.0']) {
      expect(nodeVersionProblem(v)).toBeNull();
    }
  });

  test('older lines get the message with what to do', () => {
    expect(nodeVersionProblem('20.20.2')).toBe(
      'replaykit needs Node.js 22 or newer (found 20.20.2): install Node.js 22 or 24 (nvm install 22, or https://nodejs.org/en/download), or run this one command with it: npx -y -p node@22 -- node <your command>',
    );
    expect(nodeVersionProblem('18.19.0')).toMatch(
      /^replaykit needs Node\.js 22 or newer \(found 18\.19\.0\): /,
    );
    // 22.0 to 22.11 cannot require() the interceptor's ES modules without a flag.
    expect(nodeVersionProblem('22.11.0')).toMatch(
      /^replaykit needs Node\.js 22\.12 or newer \(found 22\.11\.0\): /,
    );
  });

  test('the library form is a ReplayKitError with exit status 2', () => {
    expect(() => assertSupportedNode('20.20.2')).toThrow(
      expect.objectContaining({
        name: 'ReplayKitError',
        code: 'E_NODE_VERSION',
        exitCode: 2,
        message: expect.stringMatching(
          /^\[replaykit\] replaykit needs Node\.js 22 or newer \(found 20\.20\.2\): /,
        ),
      }),
    );
  });
});
