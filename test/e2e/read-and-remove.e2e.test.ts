/**
 * The list, show, membership and remove commands through the built CLI, one tenant end to end:
 * each answers --json with what was made, exits 0, and the removals change what the lists show
 * (issue 11 items 6 and 8). Commands that create are covered by their own e2e files.
 */
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

describe('read, membership and remove commands end to end', () => {
  const {home, cleanup} = tempHome()
  const cli = (...args: string[]) => runCli(args, {home})
  const ok = async (...args: string[]) => {
    const r = await cli(...args, '--json')
    expect({args, code: r.code, stderr: r.code === 0 ? '' : r.stderr}).toEqual({args, code: 0, stderr: ''})
    return r.json()
  }

  beforeAll(async () => {
    await ok('init', '--location', 'us')
    await ok('integration', 'enable', 'intune', '--windows', '--ios')
    await ok('device', 'import', join(process.cwd(), 'fixtures', 'inventory', 'sample.csv'))
  })
  afterAll(cleanup)

  it('collections: create, add, show, list, remove, delete', async () => {
    const [device] = (await ok('device', 'list', '--limit', '1')).devices as {name: string}[]
    await ok('collection', 'create', 'Walk')
    expect((await ok('collection', 'add', 'Walk', device.name)).changed).toEqual([device.name])
    expect((await ok('collection', 'show', 'Walk')).collection.memberList.map((m: {name: string}) => m.name)).toContain(device.name)
    expect((await ok('collection', 'list')).collections.map((c: {name: string}) => c.name)).toContain('Walk')
    await ok('collection', 'remove', 'Walk', device.name)
    expect((await ok('collection', 'show', 'Walk')).collection.memberList).toEqual([])
    await ok('collection', 'delete', 'Walk', '--yes')
    expect((await ok('collection', 'list')).collections.map((c: {name: string}) => c.name)).not.toContain('Walk')
  })

  it('ConfigMgr policies: list, show, undeploy, delete; operations: show', async () => {
    await ok('quickstart')
    const policies = (await ok('policy', 'list')).policies as {name: string}[]
    expect(policies.map((p) => p.name)).toContain('Quickstart any OS')
    expect((await ok('policy', 'show', 'Quickstart any OS')).policy.name).toBe('Quickstart any OS')
    const [operation] = (await ok('operation', 'list', '--kind', 'policy.deploy')).operations as {id: string}[]
    expect((await ok('operation', 'show', operation.id)).operation).toMatchObject({id: operation.id, status: 'succeeded'})
    await ok('policy', 'undeploy', 'Quickstart any OS', '--collection', 'Quickstart servers', '--yes')
    await ok('policy', 'delete', 'Quickstart any OS', '--yes')
    expect((await ok('policy', 'list')).policies.map((p: {name: string}) => p.name)).not.toContain('Quickstart any OS')
    expect((await ok('package', 'list')).packages).toBeDefined()
    expect((await ok('audit', 'list', '--limit', '5')).records).toHaveLength(5)
  })

  it('groups, EDR profiles, compliance, access policies and app configurations: list, show, change, delete', async () => {
    await ok('group', 'create', 'Walkers')
    await ok('group', 'add', 'Walkers', '--user', 'alice@contoso.com')
    expect((await ok('group', 'show', 'Walkers')).group.name).toBe('Walkers')
    expect((await ok('group', 'list')).groups.map((g: {name: string}) => g.name)).toContain('Walkers')
    await ok('group', 'remove', 'Walkers', '--user', 'alice@contoso.com')

    await ok('edr-profile', 'create', '--name', 'Walk EDR', '--sample-sharing', 'none', '--assign-device-group', 'Walkers')
    expect((await ok('edr-profile', 'list')).profiles.map((p: {name: string}) => p.name)).toContain('Walk EDR')
    await ok('edr-profile', 'delete', 'Walk EDR', '--yes')

    await ok('compliance', 'create', '--name', 'Walk compliance', '--platform', 'windows', '--max-risk', 'low')
    expect((await ok('compliance', 'update', 'Walk compliance', '--max-risk', 'medium')).changed).toBe(true)
    expect((await ok('compliance', 'list')).policies.map((p: {name: string}) => p.name)).toContain('Walk compliance')
    await ok('compliance', 'delete', 'Walk compliance', '--yes')

    await ok('access', 'policy', 'create', '--name', 'Walk CA', '--include-group', 'Walkers', '--app', 'sharepoint')
    expect((await ok('access', 'policy', 'show', 'Walk CA')).policy.name).toBe('Walk CA')
    expect((await ok('access', 'policy', 'update', 'Walk CA', '--app', 'exchange')).changed).toBe(true)
    await ok('access', 'policy', 'disable', 'Walk CA')
    await ok('access', 'policy', 'enable', 'Walk CA')
    expect((await ok('access', 'policy', 'list')).policies.map((p: {name: string}) => p.name)).toContain('Walk CA')
    await ok('access', 'policy', 'delete', 'Walk CA', '--yes')

    await ok('intune', 'app-config', 'ios-supervised', '--name', 'Walk iOS')
    expect((await ok('intune', 'app-config', 'show', 'Walk iOS')).config.name).toBe('Walk iOS')
    expect((await ok('intune', 'app-config', 'list')).configs.map((c: {name: string}) => c.name)).toContain('Walk iOS')
    await ok('intune', 'app-config', 'delete', 'Walk iOS', '--yes')
    await ok('group', 'delete', 'Walkers', '--yes')
  })

  it('settings, integrations, keys and profiles: get, show, list, remove', async () => {
    expect((await ok('config', 'get', 'backend')).value).toBe('local')
    expect((await ok('integration', 'show', 'intune')).intune).toBeDefined()
    expect((await ok('apikey', 'list')).keys).toEqual([])
    expect((await ok('detect', 'test-alert', '--os', 'windows')).procedure).toBeDefined()
    await ok('init', '--location', 'eu', '--profile', 'spare')
    await ok('profile', 'remove', 'spare', '--confirm', 'spare')
    expect((await ok('profile', 'list')).profiles.map((p: {name: string}) => p.name)).not.toContain('spare')
  })
})
