import Database from 'better-sqlite3'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {nameKey} from '../../src/core/names.js'
import {databasePath} from '../../src/lib/paths.js'
import {runCli, tempHome} from '../helpers/cli.js'

/** Issue 15: names from an inventory reach the admin's terminal; control characters must not act there. */
describe('hostile text in human output is shown escaped', () => {
  const {home, cleanup} = tempHome('atpctl-hostile-e2e-')
  const evil = 'evil\u001B[2J\u202Eexe.txt'
  beforeAll(async () => {
    writeFileSync(join(home, 'inventory.json'), JSON.stringify([{name: 'plain-01', os: 'Ubuntu 22.04', managedBy: 'configmgr', user: 'alice'}]))
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    expect((await runCli(['device', 'import', 'inventory.json'], {home})).code).toBe(0)
    // Import refuses such names; a database written by an older version, another tool or a
    // sensor may still hold them, and the terminal must be safe whatever the store holds.
    const db = new Database(databasePath(home, 'default'))
    db.prepare('UPDATE device SET name = ?, name_key = ?, user = ? WHERE name = ?').run(evil, nameKey(evil), 'mallory\u001B]0;pwned\u0007', 'plain-01')
    db.close()
  })
  afterAll(cleanup)

  const raw = /[\u001B\u0007\u009B\u202E]/

  it('device list: no raw ESC or bidi override reaches stdout; the name is readable, escaped', async () => {
    const result = await runCli(['device', 'list'], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(raw)
    expect(result.stdout).toContain('evil\\x1b[2J\\u202eexe.txt')
  })

  it('device show: the fields are escaped too', async () => {
    const result = await runCli(['device', 'show', evil], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(raw)
    expect(result.stdout).toContain('mallory\\x1b]0;pwned\\x07')
  })

  it('errors and their hints are escaped', async () => {
    const result = await runCli(['device', 'show', 'ghost\u001B[2J'], {home})
    expect(result.code).toBe(3)
    expect(result.stderr).not.toMatch(raw)
    expect(result.stderr).toContain('ghost\\x1b[2J')
  })

  it('--json keeps the data as it is: JSON escapes the control characters itself', async () => {
    const result = await runCli(['device', 'list', '--json'], {home})
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('\u001B')
    expect(result.stdout).toContain('evil\\u001b[2J')
    expect(result.json().devices[0].name).toBe(evil)
  })
})
