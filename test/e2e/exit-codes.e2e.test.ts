import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, tempHome} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

const withOpenssl = requireTool('openssl')

describe('exit-code table (SPEC §3)', () => {
  const {home, cleanup} = tempHome()
  afterAll(cleanup)

  it('exits 3 when the profile has no tenant, with a JSON error envelope', async () => {
    const result = await runCli(['status', '--json'], {home})
    expect(result.code).toBe(3)
    expect(result.json()).toEqual({
      error: {code: 'NOT_FOUND', message: "Profile 'default' has no tenant yet.", exitCode: 3, suggestions: ['Create one: atpctl init --location us']},
    })
  })

  it('exits 2 for usage errors: missing flag, unknown flag, unknown command, bad option', async () => {
    await runCli(['init', '--location', 'us'], {home})
    for (const args of [['token', 'mint'], ['token', 'list', '--bogus'], ['no-such-command'], ['init', '--location', 'mars']]) {
      const result = await runCli(args, {home})
      expect({args, code: result.code}).toEqual({args, code: 2})
      expect(result.stderr).toMatch(/^Error: /)
    }
  })

  it('keeps exit codes under --json (oclif 4 would report 1)', async () => {
    const result = await runCli(['token', 'mint', '--provider', 'nope', '--json'], {home})
    expect(result.code).toBe(3)
    expect(result.json().error).toMatchObject({code: 'NOT_FOUND', exitCode: 3})
  })

  it('exits 4 when a rule refuses (TP2: provider off)', async () => {
    const result = await runCli(['token', 'mint', '--provider', 'ziften', '--json'], {home})
    expect(result.code).toBe(4)
    expect(result.json().error.code).toBe('REFUSED_TP2')
  })

  it('exits 5 for an invalid token', async () => {
    const result = await runCli(['token', 'verify'], {home, input: 'atpt_not-a-real-token\n'})
    expect(result.code).toBe(5)
    expect(result.stderr).toContain('unknown token')
  })

  it('never prompts without a terminal: exits 2 naming the flag', async () => {
    const fresh = tempHome()
    try {
      const init = await runCli(['init'], {home: fresh.home})
      expect(init.code).toBe(2)
      expect(init.stderr).toContain('--location')
      const remove = await runCli(['profile', 'remove', 'default'], {home})
      expect(remove.code).toBe(2)
      expect(remove.stderr).toContain('--yes')
    } finally {
      fresh.cleanup()
    }
  })

  it('ATPCTL_HOME naming a file is a usage error (exit 2), not an unexpected ENOTDIR', async () => {
    const file = join(home, 'not-a-folder')
    writeFileSync(file, '')
    for (const args of [['status'], ['init', '--location', 'us']]) {
      const result = await runCli(args, {home, env: {ATPCTL_HOME: file}})
      expect({args, code: result.code}).toEqual({args, code: 2})
      expect(result.stderr).toContain(`'${file}' is a file, not a folder`)
      expect(result.stderr).toContain('Try this: Point ATPCTL_HOME at a folder')
    }
  })

  withOpenssl.it('serve with --tls-cert and --tls-key swapped exits 7 naming the file, before it listens', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=localhost'], {cwd: home, stdio: 'ignore'})
    const swapped = await runCli(['serve', '--port', '0', '--tls-cert', 'key.pem', '--tls-key', 'cert.pem'], {home})
    expect(swapped.code).toBe(7)
    expect(swapped.stderr).toContain("Error: The --tls-cert file 'key.pem' holds a private key, not a certificate.")
    expect(swapped.stderr).toContain('Try this: Check the order')
    const keyIsCert = await runCli(['serve', '--port', '0', '--tls-cert', 'cert.pem', '--tls-key', 'cert.pem', '--json'], {home})
    expect(keyIsCert.code).toBe(7)
    expect(keyIsCert.json().error).toMatchObject({code: 'INVALID_TLS_FILE', message: "The --tls-key file 'cert.pem' holds a certificate, not a private key."})
    execFileSync('openssl', ['genrsa', '-out', 'other.pem', '2048'], {cwd: home, stdio: 'ignore'})
    const mismatch = await runCli(['serve', '--port', '0', '--tls-cert', 'cert.pem', '--tls-key', 'other.pem'], {home})
    expect(mismatch.code).toBe(7)
    expect(mismatch.stderr).toContain('does not belong to the certificate')
  })

  it('-h is --help, for the CLI and for every command', async () => {
    for (const args of [['-h'], ['token', 'mint', '-h'], ['device', 'list', '-h']]) {
      const result = await runCli(args, {home})
      expect({args, code: result.code}).toEqual({args, code: 0})
      expect(result.stdout).toContain('USAGE')
    }
  })

  it('a mistyped command suggests the closest one (exit 2); under --json the error is the JSON document', async () => {
    const typo = await runCli(['device', 'lst'], {home})
    expect(typo.code).toBe(2)
    expect(typo.stderr).toBe("Error: 'device lst' is not an atpctl command.\nTry this: Did you mean `atpctl device list`? Run `atpctl device list --help` for its flags.\n")
    const json = await runCli(['tokn', 'mint', '--provider', 'x', '--json'], {home})
    expect(json.code).toBe(2)
    expect(json.json()).toEqual({
      error: {code: 'USAGE', message: "'tokn mint' is not an atpctl command.", exitCode: 2, suggestions: ['Did you mean `atpctl token mint`? Run `atpctl token mint --help` for its flags.']},
    })
    const far = await runCli(['device', 'frobnicate'], {home})
    expect(far.code).toBe(2)
    expect(far.stderr).toContain('Try this: Run `atpctl device --help` to see the commands.')
  })
})
