import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import Init from '../../../src/commands/init.js'
import IntegrationEnable from '../../../src/commands/integration/enable.js'
import TokenList from '../../../src/commands/token/list.js'
import TokenMint from '../../../src/commands/token/mint.js'
import TokenVerify from '../../../src/commands/token/verify.js'
import {tempHome} from '../../helpers/cli.js'
import {runCommand, runJson} from '../../helpers/command.js'

describe('token mint --out FILE: the secret alone, owner-only (TP2, T2)', () => {
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

  const tokenCount = async () => (await runJson(TokenList, ['--json'])).result!.tokens.length

  it('writes only the secret and a newline, 0600, and never prints it; token verify --token-file reads it', async () => {
    const file = join(home, 'token.txt')
    const {stdout, stderr, error, result} = await runCommand(TokenMint, ['--provider', 'bitdefender', '--out', file])
    expect(error).toBeUndefined()
    const content = readFileSync(file, 'utf8')
    expect(content).toMatch(/^atpt_[A-Za-z0-9_-]{43}\n$/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const secret = content.trim()
    expect(stdout).not.toContain(secret)
    expect(stderr).not.toContain(secret)
    expect(result!.token.secret).not.toBe(secret)
    expect(stderr).toContain(`Token secret written to ${file}`)
    const verified = await runCommand(TokenVerify, ['--token-file', file, '--json'])
    expect(verified.error).toBeUndefined()
  })

  it('--json with --out: the document holds the masked secret and the file name', async () => {
    const file = join(home, 'token-json.txt')
    const {result, stdout} = await runCommand(TokenMint, ['--provider', 'bitdefender', '--out', file, '--json'])
    const secret = readFileSync(file, 'utf8').trim()
    expect(stdout).not.toContain(secret)
    expect(result).toMatchObject({secretFile: file, token: {secret: expect.stringMatching(/^atpt_…/)}})
  })

  it('refuses to overwrite without --force (exit 4) before a token is minted; --force replaces it', async () => {
    const file = join(home, 'keep.txt')
    writeFileSync(file, 'precious\n')
    const before = await tokenCount()
    const refused = await runCommand(TokenMint, ['--provider', 'bitdefender', '--out', file])
    expect(refused.error?.oclif?.exit).toBe(4)
    expect(refused.stderr).toContain("Error: '" + file + "' exists already; atpctl does not overwrite it without --force.")
    expect(refused.stderr).toContain('Try this: Pass --force to replace it')
    expect(readFileSync(file, 'utf8')).toBe('precious\n')
    expect(await tokenCount()).toBe(before)
    const forced = await runCommand(TokenMint, ['--provider', 'bitdefender', '--out', file, '--force'])
    expect(forced.error).toBeUndefined()
    expect(readFileSync(file, 'utf8')).toMatch(/^atpt_/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('--out naming a folder is a usage error (exit 2), before minting', async () => {
    const before = await tokenCount()
    const {error} = await runCommand(TokenMint, ['--provider', 'bitdefender', '--out', home])
    expect(error?.oclif?.exit).toBe(2)
    expect(await tokenCount()).toBe(before)
  })
})
