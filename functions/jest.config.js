/** Jest runs the TypeScript sources directly (ts-jest, transpile only; `npm run typecheck` checks types). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  // ../client/functionalAnalytics.ts imports firebase/firestore, installed here (devDependency).
  modulePaths: ['<rootDir>/node_modules'],
  testTimeout: 30000,
  maxWorkers: 2,
};
