import {runCli, tempHome} from '../helpers/cli.js'

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
})
