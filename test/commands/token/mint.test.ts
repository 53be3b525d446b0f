import TokenList from '../../../src/commands/token/list.js'
import TokenMint from '../../../src/commands/token/mint.js'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'

describe('token mint / list (command layer)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'eu', '--json'])
    await runCommand(IntegrationEnable, ['third-party', '--provider', 'bitdefender', '--json'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('returns the token with its secret once and a 24h default validity (TP2)', async () => {
    const {result, error} = await runCommand(TokenMint, ['--provider', 'bitdefender', '--json'])
    expect(error).toBeUndefined()
    const token = result!.token
    expect(token.secret).toMatch(/^atpt_[A-Za-z0-9_-]{43}$/)
    expect(Date.parse(token.expiresAt) - Date.parse(token.createdAt)).toBe(24 * 3_600_000)
  })

  it('lists tokens without any secret', async () => {
    const {result, stdout} = await runJson(TokenList, ['--json'])
    expect(result!.tokens.length).toBeGreaterThan(0)
    expect(stdout).not.toMatch(/atpt_/)
    expect(Object.keys(result!.tokens[0])).not.toContain('secret')
  })

  it('refuses a ttl above 30 days with exit 2', async () => {
    const {error} = await runCommand(TokenMint, ['--provider', 'bitdefender', '--ttl', '31d'])
    expect(error?.oclif?.exit).toBe(2)
  })
})
