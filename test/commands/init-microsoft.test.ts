/**
 * `init --backend microsoft` and `logout` refuse bad input before any sign-in (exit 2), and store
 * nothing then (issue 12; the signed-in paths run in test/e2e/microsoft.e2e.test.ts).
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../src/commands/init.js'
import Logout from '../../src/commands/logout.js'
import {tempHome} from '../helpers/cli.js'
import {runCommand} from '../helpers/command.js'

const TENANT = '6f1c2b0e-3d4a-4c5b-9e8f-0a1b2c3d4e5f'
const APP = '2a7d9c41-8e3b-4f60-a1d2-b3c4d5e6f708'

describe('init --backend microsoft (usage)', () => {
  const saved = process.env.ATPCTL_HOME
  let home: ReturnType<typeof tempHome>
  beforeEach(() => {
    home = tempHome()
    process.env.ATPCTL_HOME = home.home
  })
  afterEach(() => {
    process.env.ATPCTL_HOME = saved
    home.cleanup()
  })

  const cases: [string, string[], RegExp][] = [
    ['two ways to sign in', ['--backend', 'microsoft', '--tenant-id', TENANT, '--client-id', APP, '--azure-cli', '--managed-identity'], /one way to sign in/],
    ['a tenant id that is not a GUID', ['--backend', 'microsoft', '--tenant-id', 'contoso', '--client-id', APP, '--azure-cli'], /not a tenant ID/],
    ['an http authority host', ['--backend', 'microsoft', '--tenant-id', TENANT, '--client-id', APP, '--azure-cli', '--authority-host', 'http://login.example'], /https/],
    ['--location with a real tenant', ['--backend', 'microsoft', '--tenant-id', TENANT, '--client-id', APP, '--location', 'eu'], /do not apply/],
    ['a sign-in flag without --backend microsoft', ['--location', 'eu', '--azure-cli'], /real tenant/],
    ['--ca-file for the embedded backend', ['--location', 'eu', '--ca-file', 'ca.pem'], /--remote or --backend microsoft/],
  ]

  it.each(cases)('%s is exit 2 and writes no profile', async (_what, argv, message) => {
    const {error, stdout} = await runCommand(Init, [...argv, '--json'])
    expect(error?.oclif?.exit).toBe(2)
    expect(JSON.parse(stdout).error.message).toMatch(message)
    expect(existsSync(join(home.home, 'config.json'))).toBe(false)
  })

  it('logout is for a microsoft profile only', async () => {
    const {error, stdout} = await runCommand(Logout, ['--json'])
    expect(error?.oclif?.exit).toBe(2)
    expect(JSON.parse(stdout).error.message).toMatch(/does not sign in to a Microsoft tenant/)
  })
})
