import {AdminCommand} from '../../src/base/command.js'
import Init from '../../src/commands/init.js'
import type {Prompter} from '../../src/ui/prompt.js'
import {tempHome} from '../helpers/cli.js'
import {runCommand} from '../helpers/command.js'
import {onTerminal} from '../helpers/terminal.js'

describe('init', () => {
  const saved = {home: process.env.ATPCTL_HOME, prompter: AdminCommand.prompter}
  let home: ReturnType<typeof tempHome>
  beforeEach(() => {
    home = tempHome()
    process.env.ATPCTL_HOME = home.home
  })
  afterEach(() => {
    AdminCommand.prompter = saved.prompter
    process.env.ATPCTL_HOME = saved.home
    home.cleanup()
  })

  it('asks for location and datacenter on a terminal', async () => {
    const asked: string[] = []
    AdminCommand.prompter = {
      async select(message: string, choices: {value: string}[]) {
        asked.push(message)
        return message.startsWith('Data location') ? 'uk' : choices[1].value
      },
    } as unknown as Prompter
    const {result, error} = await onTerminal(() => runCommand(Init, []))
    expect(error).toBeUndefined()
    expect(asked).toEqual(['Data location (cannot be changed later)', 'Datacenter'])
    expect(result).toMatchObject({created: true, tenant: {location: 'uk', datacenter: 'SouthUk', vortexGeoLocation: 'UK'}})
  })

  it('does not prompt under --json even on a terminal: exit 2 naming --location', async () => {
    AdminCommand.prompter = {
      async select() {
        throw new Error('must not prompt')
      },
    } as unknown as Prompter
    const {error, stdout} = await onTerminal(() => runCommand(Init, ['--json']))
    expect(error?.oclif?.exit).toBe(2)
    expect(JSON.parse(stdout).error.suggestions[0]).toContain('--location')
  })

  it('prints the tenant without the workspace key', async () => {
    const {stdout, result} = await runCommand(Init, ['--location', 'us', '--datacenter', 'centralus3'])
    expect(result && 'tenant' in result ? result.tenant.datacenter : null).toBe('CentralUs3')
    expect(stdout).toContain('Workspace key: (hidden; atpctl workspace show --reveal)')
  })
})
