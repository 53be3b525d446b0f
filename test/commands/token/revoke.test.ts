import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import TokenList from '../../../src/commands/token/list.js'
import TokenMint from '../../../src/commands/token/mint.js'
import TokenRevoke from '../../../src/commands/token/revoke.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'

describe('token revoke (command layer)', () => {
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

  it('asks like apikey revoke does: without a terminal it needs --yes and leaves the token active', async () => {
    const minted = await runCommand(TokenMint, ['--provider', 'bitdefender', '--json'])
    const id = minted.result!.token.id

    const unconfirmed = await runCommand(TokenRevoke, [id])
    expect(unconfirmed.error?.oclif?.exit).toBe(2)
    expect(unconfirmed.stderr + String(unconfirmed.error?.message)).toMatch(/--yes/)
    const listed = await runJson(TokenList, ['--json'])
    expect(listed.result!.tokens.find((t) => t.id === id)).toMatchObject({status: 'active'})

    const revoked = await runCommand(TokenRevoke, [id, '--yes', '--json'])
    expect(revoked.result!.token).toMatchObject({id, status: 'revoked'})
    expect((await runCommand(TokenRevoke, ['tok_000000000000', '--yes'])).error?.oclif?.exit).toBe(3)
  })
})
