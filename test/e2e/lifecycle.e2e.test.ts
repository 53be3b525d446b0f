import {runCli, tempHome} from '../helpers/cli.js'

/**
 * SPEC §3 / issue 11 item 4 through the built CLI, for each Intune-side resource: the same create
 * again is exit 0 with "changed": false, the name with other content exit 4 with code CONFLICT;
 * item 8: deleting one in use needs --yes without a terminal (exit 2) and says what it affects.
 */
describe('Intune-side resources: same create twice, conflict, delete in use (issue 11 items 4, 8)', () => {
  const {home, cleanup} = tempHome()
  const cli = (...args: string[]) => runCli(args, {home})
  afterAll(cleanup)
  beforeAll(async () => {
    expect((await cli('init', '--location', 'us')).code).toBe(0)
    expect((await cli('integration', 'enable', 'intune', '--windows', '--ios')).code).toBe(0)
    expect((await cli('group', 'create', 'Staff')).code).toBe(0)
  })

  const kinds: [string, string[], string[]][] = [
    ['group', ['group', 'create', 'Finance'], ['--description', 'finance staff']],
    ['EDR profile', ['edr-profile', 'create', '--name', 'EDR e2e', '--sample-sharing', 'all', '--assign-device-group', 'Staff'], ['--expedite-telemetry']],
    ['compliance policy', ['compliance', 'create', '--name', 'Windows e2e', '--platform', 'windows', '--max-risk', 'low'], ['--assign-group', 'Staff']],
    ['conditional access policy', ['access', 'policy', 'create', '--name', 'CA e2e', '--include-group', 'Staff', '--app', 'sharepoint'], ['--disabled']],
    ['app configuration', ['intune', 'app-config', 'ios-supervised', '--name', 'iOS e2e'], ['--assign-group', 'Staff']],
  ]

  it.each(kinds)('%s: same create twice → exit 0, changed: false; different → exit 4 CONFLICT', async (_kind, create, different) => {
    const first = await cli(...create, '--json')
    expect(first.code).toBe(0)
    expect(first.json().changed).toBe(true)
    const again = await cli(...create, '--json')
    expect(again.code).toBe(0)
    expect(again.json().changed).toBe(false)
    const human = await cli(...create)
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('already exists; unchanged')
    const conflict = await cli(...create, ...different, '--json')
    expect(conflict.code).toBe(4)
    expect(conflict.json().error).toMatchObject({code: 'CONFLICT', exitCode: 4})
    const text = await cli(...create, ...different)
    expect(text.code).toBe(4)
    expect(text.stderr).toMatch(/^Error: An? .+ already exists with different settings: .+\nTry this: Change it: atpctl .+ update /m)
  })

  it('a single-value flag given twice is a usage error (exit 2), not an unexpected one', async () => {
    const twice = await cli('group', 'create', 'Twice', '--description', 'a', '--description', 'b')
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('Error: Flag --description can only be specified once')
  })

  it('deleting a group in use: exit 2 naming --yes and what names it; --yes deletes and lists it', async () => {
    expect((await cli('group', 'create', 'Used')).code).toBe(0)
    expect((await cli('compliance', 'create', '--name', 'Uses it', '--platform', 'ios', '--max-risk', 'high', '--assign-group', 'Used')).code).toBe(0)
    const refused = await cli('group', 'delete', 'Used')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("Error: Confirmation needed to delete group 'Used', which is in use (compliance policy 'Uses it' is assigned to it)")
    expect(refused.stderr).toContain("Try this: Pass --yes to delete group 'Used'")
    const deleted = await cli('group', 'delete', 'Used', '--yes', '--json')
    expect(deleted.code).toBe(0)
    expect(deleted.json()).toMatchObject({changed: true, affects: ["compliance policy 'Uses it' is assigned to it"]})
    expect((await cli('group', 'show', 'Used')).code).toBe(3)
  })

  it('the classic policy of the Intune connection stays refused (exit 4), with --yes too', async () => {
    const list = await cli('access', 'policy', 'list', '--json')
    const classic = list.json().policies[0]
    const refused = await cli('access', 'policy', 'delete', classic.id, '--yes', '--json')
    expect(refused.code).toBe(4)
    expect(refused.json().error.code).toBe('REFUSED_IN3')
  })
})
