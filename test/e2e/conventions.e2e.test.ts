import Database from 'better-sqlite3'
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {PROJECT_ROOT, runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const withBash = requireTool('bash')

describe('version and shell completion', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)

  it('version --json names atpctl, Node, the SQLite that better-sqlite3 runs, and the platform', async () => {
    const result = await runCli(['version', '--json'], {home})
    expect(result.code).toBe(0)
    const db = new Database(':memory:')
    const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as {v: string}).v
    db.close()
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'))
    const betterSqlite3 = createRequire(import.meta.url)('better-sqlite3/package.json').version
    expect(result.json()).toEqual({atpctl: pkg.version, node: process.versions.node, sqlite, betterSqlite3, platform: process.platform, arch: process.arch})
    const human = await runCli(['version'], {home})
    expect(human.stdout).toContain(`SQLite:   ${sqlite} (better-sqlite3 ${betterSqlite3})`)
  })

  withBash.describe('bash: the script is sourced in bash and asked as <TAB> would', () => {
    let script: string
    beforeAll(async () => {
      const result = await runCli(['completion', 'bash'], {home})
      expect(result.code).toBe(0)
      script = join(home, 'atpctl.bash')
      writeFileSync(script, result.stdout)
    })

    const complete = (...words: string[]) => {
      const array = words.map((w) => `'${w}'`).join(' ')
      const program = `source '${script}'; COMP_WORDS=(atpctl ${array}); COMP_CWORD=${words.length}; _atpctl_complete; printf '%s\\n' "\${COMPREPLY[@]}"`
      return execFileSync('bash', ['--norc', '--noprofile', '-c', program], {encoding: 'utf8'}).split('\n').filter(Boolean)
    }

    it('atpctl dev<TAB> completes to device', () => {
      expect(complete('dev')).toEqual(['device'])
    })

    it('completes the next command word, each word once', () => {
      expect(complete('device', 'l')).toEqual(['list'])
      expect(complete('device', '').sort()).toEqual(['delete', 'import', 'list', 'offboard', 'show'])
      expect(complete('access', 'policy', 'cr')).toEqual(['create'])
    })

    it("completes a command's flags and a flag's choices", () => {
      expect(complete('device', 'list', '--fa')).toEqual(['--family'])
      expect(complete('device', 'list', '--family', 'windows-')).toEqual(['windows-server'])
      expect(complete('token', 'mint', '--')).toEqual(expect.arrayContaining(['--provider', '--ttl', '--out', '--json', '--help']))
    })
  })

  it('zsh runs the same function through bashcompinit; PowerShell registers a native completer with every command', async () => {
    const zsh = await runCli(['completion', 'zsh'], {home})
    expect(zsh.code).toBe(0)
    expect(zsh.stdout).toContain('bashcompinit')
    expect(zsh.stdout).toContain('complete -o default -F _atpctl_complete atpctl')
    const ps = await runCli(['completion', 'powershell'], {home})
    expect(ps.code).toBe(0)
    expect(ps.stdout).toContain("Register-ArgumentCompleter -Native -CommandName 'atpctl'")
    expect(ps.stdout).toContain("'device list' = @{ flags = @('--name', '--collection'")
    const bad = await runCli(['completion', 'fish'], {home})
    expect(bad.code).toBe(2)
  })
})
