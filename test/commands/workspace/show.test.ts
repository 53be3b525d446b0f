import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../../src/commands/init.js'
import WorkspaceShow from '../../../src/commands/workspace/show.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'

describe('workspace show --out FILE (T2)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  let key: string
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    key = (await runCommand(WorkspaceShow, ['--reveal', '--json'])).result!.workspace.workspaceKey
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('--reveal --out writes the key alone (not the human block), 0600; the output shows it masked', async () => {
    const file = join(home, 'key.txt')
    const {stdout, stderr, error} = await runCommand(WorkspaceShow, ['--reveal', '--out', file])
    expect(error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toBe(key + '\n')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(stdout).not.toContain(key)
    expect(stdout).toContain('Workspace key:')
    expect(stderr).toContain(`Workspace key written to ${file}`)
  })

  it('keeps an existing file unless --force (exit 4)', async () => {
    const file = join(home, 'existing.txt')
    writeFileSync(file, 'old\n')
    const refused = await runCommand(WorkspaceShow, ['--out', file])
    expect(refused.error?.oclif?.exit).toBe(4)
    expect(readFileSync(file, 'utf8')).toBe('old\n')
    expect((await runCommand(WorkspaceShow, ['--out', file, '--force'])).error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toBe(key + '\n')
  })
})
