import {createRequire} from 'node:module'
import {AdminCommand} from '../base/command.js'
import {renderFields} from '../ui/table.js'

export interface VersionInfo {
  atpctl: string
  node: string
  sqlite: string
  betterSqlite3: string
  platform: string
  arch: string
}

export default class Version extends AdminCommand<VersionInfo> {
  static override summary = 'Show the versions of atpctl, Node.js and the embedded SQLite, and the platform.'
  static override description = 'For bug reports and CI logs. `atpctl --version` prints the one-line form.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<VersionInfo> {
    await this.parse(Version)
    const {default: Database} = await import('better-sqlite3')
    const db = new Database(':memory:')
    let sqlite: string
    try {
      sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as {v: string}).v
    } finally {
      db.close()
    }

    const require = createRequire(import.meta.url)
    const info: VersionInfo = {
      atpctl: this.config.version,
      node: process.versions.node,
      sqlite,
      betterSqlite3: (require('better-sqlite3/package.json') as {version: string}).version,
      platform: process.platform,
      arch: process.arch,
    }
    this.present(() =>
      renderFields([
        ['atpctl', info.atpctl],
        ['Node.js', info.node],
        ['SQLite', `${info.sqlite} (better-sqlite3 ${info.betterSqlite3})`],
        ['Platform', `${info.platform}-${info.arch}`],
      ]),
    )
    return info
  }
}
