const { withReplayKit } = require('replaykit/jest');

module.exports = withReplayKit(
  {
    testEnvironment: 'node',
    testMatch: ['<rootDir>/*.test.ts'],
    transform: {
      '^.+\\.ts$': [
        'ts-jest',
        { tsconfig: { module: 'commonjs', esModuleInterop: true, isolatedModules: true } },
      ],
    },
  },
  { autoCassette: true },
);
