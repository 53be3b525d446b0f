import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'

// Issue 11 item 4 (SPEC §3): the same create twice is exit 0 with changed: false, for every
// kind; the same name with other content is exit 4, code CONFLICT, saying what differs.
describe('the same create twice, through the CLI', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-same-create-')
  afterAll(cleanup)
  const cli = (args: string[]) => runCli(args, {home})

  beforeAll(async () => {
    expect((await cli(['init', '--location', 'eu'])).code).toBe(0)
    expect((await cli(['package', 'generate', 'onboarding', '--os', 'windows', '--method', 'configmgr', '--out', join(home, 'onboarding.zip')])).code).toBe(0)
    writeFileSync(join(home, 'inv.csv'), 'name,os,version,managedBy,collections\nPC-1,Windows 10 Enterprise,22H2,configmgr,Pilot\nSRV-1,Windows Server 2019,,configmgr,\n')
  }, 60_000)

  const kinds: {kind: string; create: string[]; other: string[]; differs: RegExp}[] = [
    {kind: 'collection', create: ['collection', 'create', 'Servers', '--rule', 'os~Server'], other: ['collection', 'create', 'servers', '--rule', 'os~2019'], differs: /rules is 'os~Server', the request says 'os~2019'/},
    {
      kind: 'ConfigMgr policy',
      create: ['policy', 'create', '--name', 'Up-level', '--type', 'onboarding', '--config-file', 'onboarding.zip'],
      other: ['policy', 'create', '--name', 'Up-level', '--type', 'onboarding', '--config-file', 'onboarding.zip', '--description', 'other'],
      differs: /description is '', the request says 'other'/,
    },
    {kind: 'API key', create: ['apikey', 'create', '--name', 'ci', '--role', 'reader', '--out', 'ci.key'], other: ['apikey', 'create', '--name', 'ci', '--role', 'owner'], differs: /role is reader, the request says owner/},
  ]

  it.each(kinds)('$kind: exit 0 and changed: false the second time, CONFLICT (exit 4) for other content', async ({create, other, differs}) => {
    const withCwd = (args: string[]) => args.map((a) => (a === 'onboarding.zip' || a === 'ci.key' ? join(home, a) : a))
    const first = await cli([...withCwd(create), '--json'])
    expect({code: first.code, stderr: first.stderr}).toEqual({code: 0, stderr: ''})
    expect(first.json().changed).toBe(true)
    const second = await cli([...withCwd(create), '--json'])
    expect(second.code).toBe(0)
    expect(second.json().changed).toBe(false)
    const human = await cli(withCwd(create))
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/already exists; unchanged\./)
    const conflict = await cli([...withCwd(other), '--json'])
    expect(conflict.code).toBe(4)
    expect(conflict.json().error).toMatchObject({code: 'CONFLICT', exitCode: 4, message: expect.stringMatching(differs)})
    const text = await cli(withCwd(other))
    expect(text.code).toBe(4)
    expect(text.stderr).toMatch(/^Error: .*already exists with different content: .*\nTry this: /)
  })

  it('device import: the same file twice is exit 0 with changed: false', async () => {
    const first = await cli(['device', 'import', join(home, 'inv.csv'), '--json'])
    expect(first.code).toBe(0)
    expect(first.json()).toMatchObject({changed: true, summary: {created: 2}})
    const second = await cli(['device', 'import', join(home, 'inv.csv'), '--json'])
    expect(second.code).toBe(0)
    expect(second.json()).toMatchObject({changed: false, summary: {created: 0, updated: 0, unchanged: 2}})
  })

  it('device delete: unknown is exit 3, a direct member needs --yes without a terminal (exit 2), then goes (issue 11 item 8)', async () => {
    await cli(['device', 'import', join(home, 'inv.csv')])
    expect((await cli(['device', 'delete', 'PC-1', 'ghost'])).code).toBe(3)
    const refused = await cli(['device', 'delete', 'PC-1'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/Try this: Pass --yes to delete the device 'PC-1' \(in use\) without a prompt\./)
    const deleted = await cli(['device', 'delete', 'PC-1', '--yes', '--json'])
    expect(deleted.code).toBe(0)
    expect(deleted.json()).toMatchObject({devices: ['PC-1'], changed: true, impact: {inUse: true}})
    const free = await cli(['device', 'delete', 'SRV-1'])
    expect({code: free.code, stdout: free.stdout}).toEqual({code: 0, stdout: "✓ Deleted 1 device(s) from the inventory: SRV-1.\n"})
    expect((await cli(['device', 'show', 'PC-1'])).code).toBe(3)
  })
})
