import {tempBackend} from '../../helpers/backend.js'

describe('embedded backend: tenant, integrations, tokens, audit', () => {
  it('T1: creating again with the same location is a no-op, another location is refused', async () => {
    const {backend, cleanup} = await tempBackend()
    try {
      const first = await backend.tenant.create({location: 'eu', datacenter: 'WestEurope'})
      expect(first.created).toBe(true)
      expect(first.tenant.orgId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      const again = await backend.tenant.create({location: 'eu', datacenter: 'WestEurope'})
      expect(again).toEqual({tenant: first.tenant, created: false})
      await expect(backend.tenant.create({location: 'us', datacenter: 'EastUs3'})).rejects.toMatchObject({code: 'REFUSED_T1', exitCode: 4})
      expect((await backend.tenant.get())?.location).toBe('eu')
    } finally {
      await cleanup()
    }
  })

  it('TP3/TP4: disabling revokes every token and re-enabling revives none', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      await backend.integrations.setThirdParty('sentinelone', true)
      const old = await backend.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})
      expect((await backend.tokens.verify(old.secret)).valid).toBe(true)
      const off = await backend.integrations.setThirdParty('sentinelone', false)
      expect(off).toMatchObject({changed: true, revokedTokens: 1})
      expect(await backend.tokens.verify(old.secret)).toMatchObject({valid: false, reason: 'revoked (integration disabled)'})
      await backend.integrations.setThirdParty('sentinelone', true)
      expect((await backend.tokens.verify(old.secret)).valid).toBe(false)
      const fresh = await backend.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})
      expect((await backend.tokens.verify(fresh.secret)).valid).toBe(true)
    } finally {
      await cleanup()
    }
  })

  it('TP2: a token of one provider is not revoked by another provider being disabled; expiry is enforced', async () => {
    let now = new Date('2026-03-01T00:00:00Z')
    const {backend, cleanup} = await tempBackend({withTenant: true, now: () => now})
    try {
      await backend.integrations.setThirdParty('ziften', true)
      await backend.integrations.setThirdParty('bitdefender', true)
      const token = await backend.tokens.mint({provider: 'ziften', ttlMs: 3_600_000})
      await backend.integrations.setThirdParty('bitdefender', false)
      expect((await backend.tokens.verify(token.secret)).valid).toBe(true)
      now = new Date('2026-03-01T01:00:00Z')
      expect(await backend.tokens.verify(token.secret)).toMatchObject({valid: false, reason: expect.stringMatching(/^expired/)})
      expect((await backend.tokens.list()).items[0].status).toBe('expired')
    } finally {
      await cleanup()
    }
  })

  it('IN3: turning Intune on creates one protected classic policy; off and on again recreates it', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      const on = await backend.integrations.setIntune(true, {windows: true})
      expect(on.state.platforms.windows.enabled).toBe(true)
      expect(on.state.platforms.android.enabled).toBe(false)
      const firstPolicy = on.state.classicPolicyId
      expect(firstPolicy).toBeTruthy()
      expect((await backend.integrations.setIntune(true, {android: true})).state.classicPolicyId).toBe(firstPolicy)
      expect((await backend.integrations.setIntune(false, {})).state).toMatchObject({enabled: false, classicPolicyId: null})
      const again = await backend.integrations.setIntune(true, {})
      expect(again.state.classicPolicyId).toBeTruthy()
      expect(again.state.classicPolicyId).not.toBe(firstPolicy)
    } finally {
      await cleanup()
    }
  })

  it('audits every mutation, refusals included, in an intact chain', async () => {
    const {backend, cleanup} = await tempBackend({withTenant: true})
    try {
      await expect(backend.tokens.mint({provider: 'lookout', ttlMs: 1000})).rejects.toMatchObject({code: 'REFUSED_TP2'})
      await backend.integrations.setThirdParty('lookout', true)
      const records = (await backend.audit.list()).items
      expect(records.map((r) => [r.operation, r.target, r.outcome])).toEqual([
        ['tenant.create', expect.any(String), 'ok'],
        ['token.mint', 'third-party:lookout', 'refused:REFUSED_TP2'],
        ['integration.enable', 'third-party:lookout', 'ok'],
      ])
      expect(records.every((r) => r.actor === 'test:jest')).toBe(true)
      expect(await backend.audit.verify()).toMatchObject({ok: true, records: 3})
    } finally {
      await cleanup()
    }
  })
})
