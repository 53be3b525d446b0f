import ApikeyCreate from '../../../src/commands/apikey/create.js'
import ApikeyList from '../../../src/commands/apikey/list.js'
import ApikeyRevoke from '../../../src/commands/apikey/revoke.js'
import Init from '../../../src/commands/init.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'

describe('apikey create / list / revoke (DC6)', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us'])
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('shows the key once, lists it without the secret, and revokes it only when confirmed', async () => {
    const created = await runCommand(ApikeyCreate, ['--name', 'ci', '--role', 'security-reader', '--json'])
    expect(created.error).toBeUndefined()
    const secret = created.result!.key.secret
    expect(secret).toMatch(/^atpk_/)

    const listed = await runJson(ApikeyList, ['--json'])
    expect(listed.result!.keys).toEqual([expect.objectContaining({name: 'ci', role: 'security-reader', status: 'active'})])
    expect(listed.stdout).not.toContain(secret)
    expect((await runCommand(ApikeyList, [])).stdout).not.toContain(secret)

    const unconfirmed = await runCommand(ApikeyRevoke, ['ci'])
    expect(unconfirmed.error?.oclif?.exit).toBe(2)
    expect((await runJson(ApikeyList, ['--json'])).result!.keys[0].status).toBe('active')

    const revoked = await runCommand(ApikeyRevoke, ['ci', '--yes', '--json'])
    expect(revoked.result!.key).toMatchObject({name: 'ci', status: 'revoked', revokedAt: expect.any(String)})
    expect((await runCommand(ApikeyRevoke, ['nope', '--yes'])).error?.oclif?.exit).toBe(3)
  })

  it('refuses an unknown role with exit 2', async () => {
    expect((await runCommand(ApikeyCreate, ['--name', 'x', '--role', 'god'])).error?.oclif?.exit).toBe(2)
  })
})
