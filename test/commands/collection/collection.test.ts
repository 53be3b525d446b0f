import CollectionAdd from '../../../src/commands/collection/add.js'
import CollectionCreate from '../../../src/commands/collection/create.js'
import CollectionDelete from '../../../src/commands/collection/delete.js'
import CollectionUpdate from '../../../src/commands/collection/update.js'
import CollectionList from '../../../src/commands/collection/list.js'
import CollectionRemove from '../../../src/commands/collection/remove.js'
import CollectionShow from '../../../src/commands/collection/show.js'
import Init from '../../../src/commands/init.js'
import {openLocalBackend} from '../../../src/backends/local/index.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {databasePath} from '../../../src/lib/paths.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand} from '../../helpers/command.js'

describe('collection commands', () => {
  const {home, cleanup} = tempHome()
  const saved = process.env.ATPCTL_HOME
  beforeAll(async () => {
    process.env.ATPCTL_HOME = home
    await runCommand(Init, ['--location', 'us', '--json'])
    const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'test'})
    await backend.devices.import({
      records: [
        normaliseRow({name: 'a', os: 'Windows 10 Enterprise', version: '1809'}, 2),
        normaliseRow({name: 'b', os: 'Windows Server 2016 Standard'}, 3),
        normaliseRow({name: 'c', os: 'Windows Server 2019 Standard'}, 4),
      ],
    })
    await backend.close()
  })
  afterAll(() => {
    process.env.ATPCTL_HOME = saved
    cleanup()
  })

  it('creates with several rules (union) and lists the levels mix', async () => {
    const {result, error} = await runCommand(CollectionCreate, ['Mixed servers', '--rule', 'family=windows-server', '--rule', 'name=a', '--json'])
    expect(error).toBeUndefined()
    expect(result!.collection).toMatchObject({members: 3, levels: {upLevel: 2, downLevel: 1, unsupported: 0}, rules: ['family=windows-server', 'name=a']})
    const {stdout} = await runCommand(CollectionList, [])
    expect(stdout).toMatch(/Mixed servers\s+3\s+2\/1\/0\s+-\s+family=windows-server \| name=a/)
  })

  it('adds and removes direct members (variadic), and shows them with how they got in', async () => {
    await runCommand(CollectionCreate, ['Pilot'])
    const {result} = await runCommand(CollectionAdd, ['Pilot', 'a', 'b', '--json'])
    expect(result).toMatchObject({changed: ['a', 'b'], collection: {members: 2}})
    const {stdout} = await runCommand(CollectionShow, ['pilot'])
    expect(stdout).toMatch(/Members:\s+2 \(2 direct\)/)
    expect(stdout).toMatch(/\ba\s+Windows 10 1809\s+up-level\s+manual/)
    const {result: removed} = await runCommand(CollectionRemove, ['Pilot', 'b', '--json'])
    expect(removed!.collection.members).toBe(1)
  })

  it('usage and not-found exit codes', async () => {
    expect((await runCommand(CollectionCreate, ['X', '--rule', 'build>=lots'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(CollectionAdd, ['Pilot'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(CollectionAdd, ['Pilot', 'ghost'])).error?.oclif?.exit).toBe(3)
    expect((await runCommand(CollectionShow, ['ghost'])).error?.oclif?.exit).toBe(3)
    // Issue 11 item 4: the same create again is a no-op; other rules are a conflict.
    const again = await runCommand(CollectionCreate, ['pilot', '--json'])
    expect(again.error).toBeUndefined()
    expect(again.result).toMatchObject({collection: {name: 'Pilot'}, changed: false})
    const other = await runCommand(CollectionCreate, ['pilot', '--rule', 'family=linux'])
    expect(other.error?.oclif?.exit).toBe(4)
    expect(other.stderr).toMatch(/Error: Collection 'Pilot' already exists with different content: rules is no rules, the request says 'family=linux'\./)
  })

  it('updates rules and limits (issue 11 item 8), and deletes a collection in use only with --yes', async () => {
    expect((await runCommand(CollectionCreate, ['Base', '--rule', 'os~Windows'])).error).toBeUndefined()
    expect((await runCommand(CollectionCreate, ['Sub', '--limit-to', 'Base'])).error).toBeUndefined()
    const updated = await runCommand(CollectionUpdate, ['Sub', '--add-rule', 'os~Server', '--json'])
    expect(updated.result).toMatchObject({changed: true, collection: {rules: ['os~Server'], members: 2, limitTo: 'Base'}})
    const same = await runCommand(CollectionUpdate, ['Sub', '--add-rule', 'OS ~ server'])
    expect(same.stdout).toMatch(/^Collection 'Sub' already has these values; unchanged\./)
    expect((await runCommand(CollectionUpdate, ['Base', '--limit-to', 'Sub'])).error?.oclif?.exit).toBe(4)
    expect((await runCommand(CollectionUpdate, ['Base'])).error?.oclif?.exit).toBe(2)
    expect((await runCommand(CollectionUpdate, ['Base', '--limit-to', 'X', '--no-limit'])).error?.oclif?.exit).toBe(2)
    // Base is in use (Sub is limited to it): no terminal, no --yes: exit 2 naming --yes, nothing deleted.
    const refused = await runCommand(CollectionDelete, ['Base'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toMatch(/Try this: Pass --yes to delete the collection 'Base' \(in use\) without a prompt\./)
    const deleted = await runCommand(CollectionDelete, ['Base', '--yes', '--json'])
    expect(deleted.result).toMatchObject({changed: true, impact: {inUse: true, uses: [expect.objectContaining({kind: 'limits', names: ['Sub']})]}})
    const sub = await runCommand(CollectionShow, ['Sub', '--json'])
    expect(sub.result).toMatchObject({collection: {limitTo: null, members: 2}})
    const plain = await runCommand(CollectionDelete, ['Sub'])
    expect(plain.stdout).toMatch(/^✓ Deleted collection 'Sub'\./)
    expect((await runCommand(CollectionDelete, ['Sub'])).error?.oclif?.exit).toBe(3)
  })
})
