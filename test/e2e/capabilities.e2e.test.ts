import {runCli, tempHome} from '../helpers/cli.js'

describe('capabilities from the command line', () => {
  const {home, cleanup} = tempHome('atpctl-e2e-capabilities-')
  afterAll(cleanup)

  it('status lists every capability of the profile; serve on a remote profile is unsupported (exit 4) and says where to run it', async () => {
    expect((await runCli(['init', '--location', 'us'], {home})).code).toBe(0)
    const status = await runCli(['status', '--json'], {home})
    const capabilities = status.json().capabilities as {id: string; supported: boolean; instead: string | null}[]
    expect(capabilities.map((c) => c.id)).toEqual(expect.arrayContaining(['third-party-tokens', 'devices', 'serve']))
    // Everything but a Defender for Cloud subscription's package (issue 13): the embedded tenant builds its own.
    expect(capabilities.filter((c) => !(c.supported && c.instead === null)).map((c) => c.id)).toEqual(['subscription-packages'])
    expect(capabilities.find((c) => c.id === 'subscription-packages')!.instead).toMatch(/atpctl package generate onboarding .*without --subscription/)
    expect((await runCli(['status'], {home})).stdout).toMatch(/Capabilities\n.*✓ tenant: create the tenant/)

    // A remote profile (from the environment, no server needed to be refused before connecting).
    const serve = await runCli(['serve', '--json'], {home, env: {ATPCTL_URL: 'https://atp.example.net:8443'}})
    expect(serve.code).toBe(4)
    expect(serve.json().error).toMatchObject({code: 'UNSUPPORTED', exitCode: 4, message: 'The remote backend cannot serve the tenant to a team with atpctl serve.'})
    expect(serve.json().error.suggestions[0]).toMatch(/on the server host/)
  })
})
