/**
 * CM7 and the Workspace parts: a policy carries only this tenant's configuration file (its org,
 * not expired), Workspace ID and key. One rule, called by the embedded backend for every create
 * and update and by the tenant-file plan (which never holds the key).
 */
import {checkPolicyTenantParts} from '../../../src/core/policy/rules.js'

const tenant = {orgId: 'org-1', workspaceId: 'AB12CD34-0000-4000-8000-000000000001', workspaceKey: 'key-of-this-tenant'}
const now = new Date('2026-12-01T10:00:00Z')
const file = (orgId: string, expiresAt: string | null = null) => ({name: 'pkg.zip', sha256: 'a'.repeat(64), orgId, expiresAt})
const none = {configFile: null, workspaceId: null, workspaceKey: null}

describe('checkPolicyTenantParts (CM7)', () => {
  it("accepts this tenant's parts: the ID in any case, the key with surrounding white space", () => {
    expect(() => checkPolicyTenantParts({configFile: file('org-1'), workspaceId: tenant.workspaceId.toLowerCase(), workspaceKey: ' key-of-this-tenant\n'}, tenant, now)).not.toThrow()
    expect(() => checkPolicyTenantParts(none, tenant, now)).not.toThrow()
    expect(() => checkPolicyTenantParts({...none, configFile: file('org-1', '2026-12-02T00:00:00Z')}, tenant, now)).not.toThrow()
  })

  it("refuses another tenant's file, an expired file, another Workspace ID or key (exit 7)", () => {
    const refusal = (request: Parameters<typeof checkPolicyTenantParts>[0]) => {
      try {
        checkPolicyTenantParts(request, tenant, now)
      } catch (error) {
        return error
      }

      return null
    }

    expect(refusal({...none, configFile: file('org-2')})).toMatchObject({code: 'PACKAGE_OTHER_TENANT', exitCode: 7, message: 'The configuration file belongs to org org-2, not to this tenant (org-1).'})
    expect(refusal({...none, configFile: file('org-1', '2026-12-01T10:00:00Z')})).toMatchObject({code: 'PACKAGE_EXPIRED', exitCode: 7})
    expect(refusal({...none, workspaceId: '00000000-0000-4000-8000-000000000000'})).toMatchObject({code: 'WORKSPACE_MISMATCH', exitCode: 7, message: "Workspace ID '00000000-0000-4000-8000-000000000000' is not this tenant's."})
    expect(refusal({...none, workspaceKey: 'another'})).toMatchObject({code: 'WORKSPACE_MISMATCH', exitCode: 7, message: "The Workspace key does not match this tenant's."})
  })

  it('checks no key when the caller does not hold the tenant key (a plan)', () => {
    expect(() => checkPolicyTenantParts({...none, workspaceKey: 'anything'}, {...tenant, workspaceKey: null}, now)).not.toThrow()
    expect(() => checkPolicyTenantParts({...none, workspaceId: 'other'}, {...tenant, workspaceKey: null}, now)).toThrow(/is not this tenant's/)
  })
})
