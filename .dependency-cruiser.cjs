/**
 * The layers of ARCHITECTURE.md as rules, checked by `npm test` (test/architecture.test.ts):
 * core is pure (no outer layer, no terminal or oclif package, no Node process globals through
 * imports); backends and the server never reach into commands or the terminal.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-inner',
      comment: 'src/core holds the rules and the port: it imports no backend, command, base, ui or server code.',
      severity: 'error',
      from: {path: '^src/core/'},
      to: {path: '^src/(backends|commands|base|ui|server|hooks)/'},
    },
    {
      name: 'core-has-no-terminal-or-cli-packages',
      comment: 'No oclif, chalk, ora, inquirer or conf in src/core.',
      severity: 'error',
      from: {path: '^src/core/'},
      to: {path: 'node_modules/(@oclif|chalk|ora|@inquirer|inquirer|conf)/'},
    },
    {
      name: 'backends-below-commands',
      comment: 'Backends implement the port; they import no command, base-command or terminal code.',
      severity: 'error',
      from: {path: '^src/backends/'},
      to: {path: '^src/(commands|base|ui|hooks)/'},
    },
    {
      name: 'server-below-commands',
      comment: 'The server runs on the port and the local backend; it imports no command or terminal code.',
      severity: 'error',
      from: {path: '^src/server/'},
      to: {path: '^src/(commands|base|ui|hooks)/'},
    },
    {
      name: 'lib-is-leaf',
      comment: 'src/lib adapters depend on nothing above them.',
      severity: 'error',
      from: {path: '^src/lib/'},
      to: {path: '^src/(backends|commands|base|ui|server|hooks)/'},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {path: '^src/'},
      to: {circular: true, viaOnly: {dependencyTypesNot: ['type-only']}},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {extensions: ['.ts', '.js']},
  },
}
