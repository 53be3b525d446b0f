import {OPERATIONS} from '../../src/backends/remote/operations.js'
import {ALL_SUPPORTED, CAPABILITIES, capabilityOf, guardCapabilities, type Capabilities} from '../../src/core/capabilities.js'
import {tempBackend} from '../helpers/backend.js'

describe('backend capabilities (SPEC §1)', () => {
  it('every port operation belongs to exactly one capability', () => {
    for (const op of OPERATIONS) {
      const [resource, method] = op.id.split('.')
      // A method named exactly belongs there, not to its resource's wildcard (intune.userGroups: conditional access).
      const exact = Object.entries(CAPABILITIES).filter(([, c]) => (c.methods as readonly string[]).includes(op.id))
      const owners = exact.length > 0 ? exact : Object.entries(CAPABILITIES).filter(([, c]) => (c.methods as readonly string[]).includes(`${resource}.*`))
      const owner = capabilityOf(resource, method)
      expect({op: op.id, owners: owners.map(([id]) => id)}).toEqual({op: op.id, owners: owner === null ? [] : [owner]})
    }

    // Only tenant.get belongs to no capability: every backend says which tenant it reaches.
    expect(OPERATIONS.filter((op) => capabilityOf(...(op.id.split('.') as [string, string])) === null).map((op) => op.id)).toEqual(['tenant.get'])
    expect(capabilityOf('intune', 'userGroups')).toBe('conditional-access')
    expect(capabilityOf('intune', 'listGroups')).toBe('intune-groups-and-profiles')
  })

  it('a call into an unsupported capability rejects with one UnsupportedError (exit 4) saying what to do instead; the rest run', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      const capabilities: Capabilities = {...ALL_SUPPORTED, 'third-party-tokens': {supported: false, instead: 'Mint tokens in the portal: Settings > Endpoints > Onboarding.'}}
      const limited = guardCapabilities({...backend, kind: 'test', capabilities, tenant: backend.tenant, tokens: backend.tokens})
      await expect(limited.tokens.mint({provider: 'sentinelone', ttlMs: 60_000})).rejects.toMatchObject({
        code: 'UNSUPPORTED',
        exitCode: 4,
        message: 'The test backend cannot mint, list, revoke and verify sensor tokens.',
        suggestions: ['Mint tokens in the portal: Settings > Endpoints > Onboarding.'],
      })
      await expect(limited.tokens.list()).rejects.toMatchObject({code: 'UNSUPPORTED'})
      expect((await limited.tenant.get())?.location).toBe('us')
      expect(limited.kind).toBe('test')
    } finally {
      await cleanup()
    }
  })
})
