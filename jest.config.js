/** Jest runs the TypeScript sources as native ESM (see STYLE.md §4.11). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {'^(\\.{1,2}/.*)\\.js$': '$1'},
  transform: {
    '^.+\\.ts$': ['ts-jest', {useESM: true, tsconfig: 'tsconfig.test.json', diagnostics: false}],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/helpers/setup-console.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/helpers/reset-exit-code.ts'],
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
  verbose: true,
  testTimeout: 60000,
  maxWorkers: 2,
}
