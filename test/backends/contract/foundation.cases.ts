import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

/** Tenant, integrations, tokens, audit (T1, T2, TP1–TP4) on every backend. */
export const foundationSuite: ContractSuite = {
  name: 'foundation',
  define(get) {
    it('has no tenant before creation, then one; same location again is a no-op (T1)', async () => {
      const {backend} = get()
      expect(await backend.tenant.get()).toBeNull()
      const created = await backend.tenant.create({location: 'eu', datacenter: 'WestEurope'})
      expect(created.created).toBe(true)
      expect(created.tenant.orgId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      const again = await backend.tenant.create({location: 'eu', datacenter: 'WestEurope'})
      expect(again).toEqual({tenant: created.tenant, created: false})
      expect(await backend.tenant.get()).toEqual(created.tenant)
    })

    it('refuses another data location with exit 4 REFUSED_T1', async () => {
      await expectAtpError(get().backend.tenant.create({location: 'us', datacenter: 'EastUs3'}), {code: 'REFUSED_T1', exitCode: 4})
    })

    it('returns the tenant secrets (T2) as JSON-safe values', async () => {
      const secrets = await get().backend.tenant.secrets()
      expect(secrets.signingKeyPem).toContain('BEGIN PRIVATE KEY')
      expect(Buffer.from(secrets.signingCertDer, 'base64').length).toBeGreaterThan(300)
    })

    it('lists every provider off, turns one on, refuses minting for one that is off (TP1, TP2)', async () => {
      const {backend} = get()
      const state = await backend.integrations.state()
      expect(state.thirdParty.map((p) => p.provider)).toEqual(['bitdefender', 'lookout', 'sentinelone', 'ziften'])
      expect(state.thirdParty.every((p) => !p.enabled)).toBe(true)
      const on = await backend.integrations.setThirdParty('sentinelone', true)
      expect(on).toMatchObject({changed: true, revokedTokens: 0, state: {enabled: true, provider: 'sentinelone'}})
      await expectAtpError(backend.tokens.mint({provider: 'ziften', ttlMs: 3_600_000}), {code: 'REFUSED_TP2', exitCode: 4})
      await expectAtpError(backend.tokens.mint({provider: 'nope', ttlMs: 3_600_000}), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(backend.integrations.setThirdParty('nope', true), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('mints, verifies, lists without secrets, revokes (TP2)', async () => {
      const {backend} = get()
      const minted = await backend.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})
      expect(minted.secret).toMatch(/^atpt_/)
      const verified = await backend.tokens.verify(minted.secret)
      expect(verified).toMatchObject({valid: true, token: {id: minted.id, provider: 'sentinelone', status: 'active'}})
      expect(await backend.tokens.verify('atpt_unknown')).toEqual({valid: false, reason: 'unknown token', token: null})
      const listed = (await backend.tokens.list({provider: 'sentinelone'})).items
      expect(listed.map((t) => t.id)).toContain(minted.id)
      expect(JSON.stringify(listed)).not.toContain(minted.secret)
      expect((await backend.tokens.list({provider: 'bitdefender'})).items).toEqual([])
      const revoked = await backend.tokens.revoke(minted.id)
      expect(revoked).toMatchObject({token: {status: 'revoked'}, changed: true})
      expect(await backend.tokens.revoke(minted.id)).toMatchObject({token: {status: 'revoked'}, changed: false})
      await expectAtpError(backend.tokens.revoke('tok_missing'), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(backend.tokens.mint({provider: 'sentinelone', ttlMs: 31 * 86_400_000}), {code: 'USAGE', exitCode: 2})
    })

    it('turning a provider off revokes its tokens; on again does not revive them (TP3, TP4)', async () => {
      const {backend} = get()
      const minted = await backend.tokens.mint({provider: 'sentinelone', ttlMs: 3_600_000})
      const off = await backend.integrations.setThirdParty('sentinelone', false)
      expect(off.revokedTokens).toBe(1)
      await backend.integrations.setThirdParty('sentinelone', true)
      const verdict = await backend.tokens.verify(minted.secret)
      expect(verdict.valid).toBe(false)
      expect(verdict.reason).toContain('integration disabled')
    })

    it('handles Intune and Defender for Cloud toggles, refusing Linux-only disable (DC3)', async () => {
      const {backend} = get()
      const intune = await backend.integrations.setIntune(true, {android: true})
      expect(intune.state).toMatchObject({enabled: true, platforms: {android: {enabled: true}, ios: {enabled: false}}})
      expect(intune.state.classicPolicyId).not.toBeNull()
      const dfc = await backend.integrations.enableDefenderForCloud({subscriptionId: 'sub-1', cloud: 'commercial', linux: true, windowsOnly: false})
      expect(dfc.state).toMatchObject({windows: true, linux: true})
      await expectAtpError(backend.integrations.disableDefenderForCloud({subscriptionId: 'sub-1', linuxOnly: true}), {exitCode: 4})
      await expectAtpError(backend.integrations.disableDefenderForCloud({subscriptionId: 'sub-missing', linuxOnly: false}), {exitCode: 3})
    })

    it('keeps an audit log that verifies, filterable by operation', async () => {
      const {backend} = get()
      const records = (await backend.audit.list({operation: 'token.mint'})).items
      // Two minted, one refused (TP2): refusals are audited too.
      expect(records.map((r) => r.outcome)).toEqual(['refused:REFUSED_TP2', 'ok', 'ok'])
      expect(records.every((r) => r.operation === 'token.mint')).toBe(true)
      expect((await backend.audit.list({limit: 3})).items).toHaveLength(3)
      expect((await backend.audit.verify()).ok).toBe(true)
    })

    it('gives the head of the audit chain, which verify then finds; an unknown head breaks the verification, on every backend (issue 15 item 10)', async () => {
      const {backend} = get()
      const [last] = (await backend.audit.list({limit: 1, newestFirst: true})).items
      const head = await backend.audit.head()
      expect(head).toEqual({records: last.seq, hash: last.hash})
      expect(await backend.audit.verify({head: head.hash})).toMatchObject({ok: true, head, givenHead: {hash: head.hash, record: last.seq}})
      expect(await backend.audit.verify({head: 'f'.repeat(64)})).toMatchObject({ok: false, reason: expect.stringContaining('no longer contains the head')})
    })

    // Issue 13: only a real tenant has Defender for Cloud subscriptions to download a package from.
    it("refuses a subscription's onboarding package with exit 4 UNSUPPORTED, saying the tenant builds its own", async () => {
      const {backend} = get()
      expect(backend.capabilities['subscription-packages']).toEqual({supported: false, instead: expect.stringMatching(/package generate onboarding .*without --subscription/)})
      const error = await backend.packages.subscriptionScript({subscriptionId: '00000000-0000-4000-8000-00000000d001', script: 'linux'}).then(
        () => null,
        (caught: unknown) => caught as {code: string; exitCode: number; suggestions: string[]},
      )
      expect(error).toMatchObject({code: 'UNSUPPORTED', exitCode: 4})
      expect(error!.suggestions.join(' ')).toMatch(/without --subscription/)
    })
  },
}
