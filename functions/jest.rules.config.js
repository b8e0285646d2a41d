/**
 * Security rules tests (rules-test/): they need the official Firestore emulator, which enforces
 * firestore.rules. Run with `npm run test:rules` (firebase emulators:exec starts the emulator; see
 * docs/security.md). Not part of `npm test`: the embedded emulator does not evaluate rules.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/rules-test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.dev.json' }] },
  modulePaths: ['<rootDir>/node_modules'],
  testTimeout: 30000,
  maxWorkers: 1,
};
