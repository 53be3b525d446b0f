import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../src/commands/init.js'
import IntegrationEnable from '../../src/commands/integration/enable.js'
import TokenList from '../../src/commands/token/list.js'
import TokenMint from '../../src/commands/token/mint.js'
import {PROJECT_ROOT, tempHome} from '../helpers/cli.js'
import {runCommand, runJson} from '../helpers/command.js'

describe('one --limit on every list command', () => {
  it('every list command of a resource has the shared --limit flag (read from the built manifest)', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {flags: Record<string, {description?: string}>}>}
    // Settings, profiles and the integrations catalogue are fixed, short lists.
    const fixed = new Set(['config:list', 'profile:list', 'integration:list'])
    const lists = Object.keys(manifest.commands).filter((id) => id.endsWith(':list') && !fixed.has(id))
    expect(lists.length).toBeGreaterThanOrEqual(12)
    const without = lists.filter((id) => !/default: 1000 in the table, all with --json/.test(manifest.commands[id].flags.limit?.description ?? ''))
    expect(without).toEqual([])
  })

  describe('token list', () => {
    const {home, cleanup} = tempHome()
    const saved = process.env.ATPCTL_HOME
    beforeAll(async () => {
      process.env.ATPCTL_HOME = home
      await runCommand(Init, ['--location', 'eu', '--json'])
      await runCommand(IntegrationEnable, ['third-party', '--provider', 'bitdefender', '--json'])
      for (let i = 0; i < 3; i++) expect((await runCommand(TokenMint, ['--provider', 'bitdefender', '--json'])).error).toBeUndefined()
    })
    afterAll(() => {
      process.env.ATPCTL_HOME = saved
      cleanup()
    })

    it('--limit 2: two rows and the notice on stderr; --json --limit 2 lists two; --json alone all three', async () => {
      const {stdout, stderr} = await runCommand(TokenList, ['--limit', '2'])
      expect(stdout.trimEnd().split('\n')).toHaveLength(3)
      expect(stderr.trimEnd()).toBe('… more not shown (this is the first 2); use --limit N to see more, or --json.')
      expect((await runJson(TokenList, ['--limit', '2', '--json'])).result!.tokens).toHaveLength(2)
      expect((await runJson(TokenList, ['--json'])).result!.tokens).toHaveLength(3)
      const exact = await runCommand(TokenList, ['--limit', '3'])
      expect(exact.stdout + exact.stderr).not.toContain('more not shown')
      expect((await runCommand(TokenList, [])).stderr).not.toContain('more not shown')
    })
  })
})
