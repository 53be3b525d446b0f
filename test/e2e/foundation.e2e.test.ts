import {execFileSync} from 'node:child_process'
import {cpSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {type CliResult, runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const mode = (path: string) => statSync(path).mode & 0o777

const withSqlite = requireTool('sqlite3')

describe('foundation end to end', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)
  const cli = (args: string[], input?: string) => runCli(args, {home, input})

  beforeAll(async () => {
    const init = await cli(['init', '--location', 'eu', '--json'])
    expect(init.code).toBe(0)
  })

  it('T1: init again with the same location is a no-op; another location exits 4', async () => {
    const same = await cli(['init', '--location', 'eu', '--json'])
    expect(same.code).toBe(0)
    expect(same.json().created).toBe(false)
    const other = await cli(['init', '--location', 'us', '--json'])
    expect(other.code).toBe(4)
    expect(other.json().error.code).toBe('REFUSED_T1')
  })

  it('TP3/TP4: a token minted before a disable stays invalid after re-enable; a new one works', async () => {
    expect((await cli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
    const minted = (await cli(['token', 'mint', '--provider', 'sentinelone', '--json'])).json().token
    expect((await cli(['token', 'verify', '--json'], minted.secret)).code).toBe(0)
    const disable = await cli(['integration', 'disable', 'third-party', '--provider', 'sentinelone', '--yes'])
    expect(disable.code).toBe(0)
    expect(disable.stderr).toMatch(/stop the data push/i)
    expect(disable.stdout).toContain('Revoked 1 token(s)')
    expect((await cli(['integration', 'enable', 'third-party', '--provider', 'sentinelone'])).code).toBe(0)
    const stale = await cli(['token', 'verify', '--json'], minted.secret)
    expect(stale.code).toBe(5)
    expect(stale.json().error.message).toContain('revoked')
    const fresh = (await cli(['token', 'mint', '--provider', 'sentinelone', '--json'])).json().token
    expect((await cli(['token', 'verify'], fresh.secret)).code).toBe(0)
  })

  it('disable without --yes and without a terminal exits 2 and changes nothing', async () => {
    const result = await cli(['integration', 'disable', 'third-party', '--provider', 'sentinelone'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--yes')
    const state = (await cli(['integration', 'show', 'third-party', '--provider', 'sentinelone', '--json'])).json()
    expect(state.providers[0].enabled).toBe(true)
  })

  it('DC2/DC3/DC5: Linux cannot be disabled alone, China is refused, the whole integration can be disabled', async () => {
    const sub = '11111111-2222-3333-4444-555555555555'
    const on = await cli(['integration', 'enable', 'defender-for-cloud', '--subscription', sub, '--json'])
    expect(on.json().subscription).toMatchObject({windows: true, linux: true, cloud: 'commercial'})
    const linuxOnly = await cli(['integration', 'disable', 'defender-for-cloud', '--subscription', sub, '--linux', '--json'])
    expect(linuxOnly.code).toBe(4)
    expect(linuxOnly.json().error.code).toBe('REFUSED_DC3')
    const china = await cli(['integration', 'enable', 'defender-for-cloud', '--subscription', 'cn-1', '--cloud', 'china'])
    expect(china.code).toBe(4)
    const off = await cli(['integration', 'disable', 'defender-for-cloud', '--subscription', sub, '--yes', '--json'])
    expect(off.json().subscription).toMatchObject({windows: false, linux: false})
  })

  it('intune: the connection with platform toggles and its classic policy', async () => {
    const on = await cli(['integration', 'enable', 'intune', '--windows', '--ios', '--json'])
    expect(on.json().intune.platforms).toEqual({
      android: {enabled: false, minimumVersion: '6.0.0'},
      ios: {enabled: true, minimumVersion: '8.0'},
      windows: {enabled: true, minimumVersion: '10.0.15063'},
    })
    expect(on.json().intune.classicPolicyId).toEqual(expect.any(String))
  })

  withSqlite.it('--json output contains no secret except the one token mint returns', async () => {
    const minted = (await cli(['token', 'mint', '--provider', 'sentinelone', '--json'])).json().token
    const workspaceKey = execFileSync('sqlite3', [join(home, 'profiles', 'default', 'tenant.db'), 'SELECT workspace_key FROM tenant'], {encoding: 'utf8'}).trim()
    const secrets = [minted.secret, workspaceKey]
    const outputs: CliResult[] = []
    for (const args of [['status'], ['token', 'list'], ['integration', 'list'], ['audit', 'list'], ['config', 'list'], ['init', '--location', 'eu']]) {
      outputs.push(await cli(args), await cli([...args, '--json']))
    }

    for (const output of outputs) {
      for (const secret of secrets) {
        expect(output.stdout + output.stderr).not.toContain(secret)
      }
    }
  })

  it('keeps configuration and data owner-only', async () => {
    await cli(['config', 'set', 'configmgr-version', '2002'])
    expect(mode(join(home, 'config.json'))).toBe(0o600)
    expect(mode(join(home, 'profiles', 'default', 'tenant.db'))).toBe(0o600)
    expect(mode(join(home, 'profiles', 'default'))).toBe(0o700)
    expect((await cli(['config', 'get', 'configmgr-version'])).stdout.trim()).toBe('2002')
    expect((await cli(['config', 'set', 'nonsense', '1'])).code).toBe(2)
  })

  withSqlite.it('audit verify detects an edited or deleted record (exit 7) and names it', async () => {
    await cli(['integration', 'enable', 'third-party', '--provider', 'lookout'])
    expect((await cli(['audit', 'verify'])).code).toBe(0)
    const copy = tempHome()
    try {
      cpSync(join(home, 'profiles'), join(copy.home, 'profiles'), {recursive: true})
      cpSync(join(home, 'config.json'), join(copy.home, 'config.json'))
      execFileSync('sqlite3', [join(copy.home, 'profiles', 'default', 'tenant.db'), "UPDATE audit_log SET target = 'someone-else' WHERE seq = 1"])
      const broken = await runCli(['audit', 'verify', '--json'], {home: copy.home})
      expect(broken.code).toBe(7)
      expect(broken.json().error).toMatchObject({code: 'AUDIT_CHAIN_BROKEN', message: expect.stringContaining('record 1')})
      execFileSync('sqlite3', [join(copy.home, 'profiles', 'default', 'tenant.db'), 'DELETE FROM audit_log WHERE seq = 1'])
      expect((await runCli(['audit', 'verify'], {home: copy.home})).code).toBe(7)
    } finally {
      copy.cleanup()
    }
  })
})

describe('concurrency', () => {
  it('8 parallel token mints lose nothing and keep the audit chain intact', async () => {
    const {home, cleanup} = tempHome()
    try {
      await runCli(['init', '--location', 'us'], {home})
      await runCli(['integration', 'enable', 'third-party', '--provider', 'ziften'], {home})
      const results = await Promise.all(Array.from({length: 8}, () => runCli(['token', 'mint', '--provider', 'ziften', '--json'], {home})))
      expect(results.map((r) => r.code)).toEqual(Array(8).fill(0))
      const ids = new Set(results.map((r) => r.json().token.id))
      expect(ids.size).toBe(8)
      const listed = (await runCli(['token', 'list', '--json'], {home})).json().tokens.map((t: {id: string}) => t.id)
      expect(new Set(listed)).toEqual(ids)
      const verify = await runCli(['audit', 'verify', '--json'], {home})
      expect(verify.code).toBe(0)
      expect(verify.json().records).toBe(10)
    } finally {
      cleanup()
    }
  })

  it('8 processes opening a fresh profile at once migrate it exactly once', async () => {
    const {home, cleanup} = tempHome()
    try {
      const results = await Promise.all(Array.from({length: 8}, () => runCli(['init', '--location', 'uk', '--json'], {home})))
      expect(results.map((r) => r.code)).toEqual(Array(8).fill(0))
      expect(results.filter((r) => r.json().created).length).toBe(1)
      expect(new Set(results.map((r) => r.json().tenant.orgId)).size).toBe(1)
    } finally {
      cleanup()
    }
  })
})
