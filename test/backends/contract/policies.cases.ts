import {openRemoteBackend} from '../../../src/backends/remote/index.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

/**
 * ConfigMgr policies, their deployment plans and monitoring, and the package records, through
 * every backend: the CM3 refusal, the any-OS policy, monitor counts (CM2–CM7).
 */
export const policiesSuite: ContractSuite = {
  name: 'ConfigMgr policies, deployments, monitor, package records',
  withTenant: true,
  define(get) {
    beforeAll(async () => {
      const {admin} = get()
      await admin.devices.import({
        records: [
          normaliseRow({name: 'up-01', os: 'Windows Server 2019', version: '10.0.17763', managedBy: 'configmgr', collections: 'Mixed', lastSeen: seen()}, 2),
          normaliseRow({name: 'down-01', os: 'Windows Server 2012 R2', version: '6.3.9600', managedBy: 'configmgr', collections: 'Mixed', lastSeen: seen()}, 3),
        ],
      })
    })

    it('creates, lists and shows policies; a second one of the same name is refused', async () => {
      const {backend} = get()
      const tenant = (await backend.tenant.get())!
      const secrets = await backend.tenant.secrets()
      const keyOnly = await backend.policies.create({
        name: 'Key only',
        description: 'down-level',
        type: 'onboarding',
        configFile: null,
        workspaceId: tenant.workspaceId,
        workspaceKey: secrets.workspaceKey,
        sampleSharing: 'none',
        configMgrVersion: 2103,
      })
      expect(keyOnly).toMatchObject({policy: {name: 'Key only', type: 'onboarding'}, changed: true})
      expect(JSON.stringify(keyOnly)).not.toContain(secrets.workspaceKey)
      expect((await backend.policies.get('Key only')).name).toBe('Key only')
      expect((await backend.policies.list()).items.map((p) => p.name)).toContain('Key only')
      // The same create again changes nothing; other content is a conflict naming what differs (issue 11 item 4).
      const again = {name: 'Key only', description: 'down-level', type: 'onboarding' as const, configFile: null, workspaceId: tenant.workspaceId.toUpperCase(), workspaceKey: secrets.workspaceKey, sampleSharing: 'none' as const, configMgrVersion: 2103}
      expect(await backend.policies.create(again)).toMatchObject({policy: {name: 'Key only'}, changed: false})
      await expectAtpError(backend.policies.create({...again, description: '', sampleSharing: 'all'}), {code: 'CONFLICT', exitCode: 4, message: /description .*sample sharing is none, the request says all/})
      await expectAtpError(backend.policies.get('nope'), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('answers a read-only key of the server with a dry-run plan, and refuses it the deployment itself (DC6)', async () => {
      const {server, admin} = get()
      if (!server) return
      const tenant = (await admin.tenant.get())!
      const {workspaceKey} = await admin.tenant.secrets()
      const policy = {name: 'Reader plan', description: '', type: 'onboarding' as const, configFile: null, workspaceId: tenant.workspaceId, workspaceKey, sampleSharing: 'none' as const, configMgrVersion: 2103}
      await admin.policies.create(policy)
      const {secret} = await admin.apiKeys.create({name: 'plan-reader', role: 'reader'})
      const reader = openRemoteBackend({url: server.url, apiKey: secret!, actor: 'contract:reader'})
      try {
        const dry = await reader.policies.deploy({name: 'Reader plan', collections: ['Mixed'], dryRun: true, force: false})
        expect(dry).toMatchObject({plan: {summary: {targeted: 2, missed: 1}, applied: false}, operation: null})
        expect(await reader.policies.undeploy({name: 'Reader plan', collections: ['Mixed'], dryRun: true})).toMatchObject({changed: false, removed: [], notDeployed: ['Mixed']})
        await expectAtpError(reader.policies.deploy({name: 'Reader plan', collections: ['Mixed'], dryRun: false, force: true}), {code: 'FORBIDDEN', exitCode: 5})
        await expectAtpError(reader.policies.undeploy({name: 'Reader plan', collections: ['Mixed']}), {code: 'FORBIDDEN', exitCode: 5})
      } finally {
        await reader.close()
      }
    })

    it('plans a deployment before applying it: CM3 refuses a key-only policy for up-level devices unless forced', async () => {
      const {backend} = get()
      const dry = await backend.policies.deploy({name: 'Key only', collections: ['Mixed'], dryRun: true, force: false})
      expect(dry).toMatchObject({
        plan: {summary: {targeted: 2, reached: 1, missed: 1}, missed: [expect.objectContaining({name: 'up-01', reason: 'up-level-without-file'})], applied: false},
        operation: null,
      })
      const refused = await backend.policies.deploy({name: 'Key only', collections: ['Mixed'], dryRun: false, force: false})
      expect(refused).toMatchObject({plan: {refused: true, applied: false}, operation: null})
      expect((await backend.devices.get('down-01')).onboarded).toBe(false)
      // Issue 11 item 5: an applied deployment comes with its operation, finished at once on these backends.
      const forced = await backend.policies.deploy({name: 'Key only', collections: ['Mixed'], dryRun: false, force: true})
      expect(forced).toMatchObject({plan: {applied: true, forced: true}, operation: {kind: 'policy.deploy', status: 'succeeded', result: {applied: true}}})
      expect((await backend.devices.get('down-01')).onboarded).toBe(true)
      expect((await backend.devices.get('up-01')).onboarded).toBe(false)
      await expectAtpError(backend.policies.deploy({name: 'Key only', collections: ['Nowhere'], dryRun: true, force: false}), {exitCode: 3})
    })

    it('updates a policy, re-checking CM4 and CM3 for its deployments (issue 11 item 8)', async () => {
      const {backend} = get()
      expect(await backend.policies.update('Key only', {description: 'down-level only'})).toMatchObject({changed: true, policy: {description: 'down-level only'}})
      expect(await backend.policies.update('Key only', {description: 'down-level only', sampleSharing: 'none'})).toMatchObject({changed: false})
      await expectAtpError(backend.policies.update('Key only', {configMgrVersion: 2002}), {code: 'REFUSED_CM4', exitCode: 4})
      await expectAtpError(backend.policies.update('Key only', {}), {code: 'USAGE', exitCode: 2})
      await expectAtpError(backend.policies.update('Key only', {workspaceId: null}), {code: 'USAGE', exitCode: 2})
      // Deployed (forced) to Mixed, it reaches down-01: an older ConfigMgr that cannot onboard it is refused without force.
      await expectAtpError(backend.policies.update('Key only', {configMgrVersion: 1910}), {code: 'REFUSED_CM3', exitCode: 4, message: /down-01/})
      expect((await backend.policies.get('Key only')).configMgrVersion).toBe(2103)
      expect(await backend.policies.update('Key only', {configMgrVersion: 1910, force: true})).toMatchObject({changed: true, policy: {configMgrVersion: 1910}})
      await backend.policies.update('Key only', {configMgrVersion: 2103})
      await expectAtpError(backend.policies.update('nope', {description: 'x'}), {code: 'NOT_FOUND', exitCode: 3})
    })

    it('undeploys from collections only when confirmed; the agent model follows (issue 11 item 8)', async () => {
      const {backend} = get()
      const preview = await backend.policies.undeploy({name: 'Key only', collections: ['Mixed'], dryRun: true})
      expect(preview).toMatchObject({changed: false, removed: ['Mixed'], notDeployed: [], impact: {inUse: true, devices: 2}})
      await expectAtpError(backend.policies.undeploy({name: 'Key only', collections: ['Mixed']}), {code: 'REFUSED_IN_USE', exitCode: 4, message: /2 devices/})
      expect(await backend.policies.undeploy({name: 'Key only', collections: ['Mixed'], force: true})).toMatchObject({changed: true, removed: ['Mixed'], policy: {deployments: []}})
      expect((await backend.devices.get('down-01')).onboarded).toBe(false)
      expect(await backend.policies.undeploy({name: 'Key only', collections: ['Mixed']})).toMatchObject({changed: false, removed: [], notDeployed: ['Mixed']})
      await expectAtpError(backend.policies.undeploy({name: 'Key only', collections: ['Nowhere']}), {code: 'NOT_FOUND', exitCode: 3})
      await backend.policies.deploy({name: 'Key only', collections: ['Mixed'], dryRun: false, force: true})
    })

    it('monitors deployment and health per collection', async () => {
      const {backend} = get()
      const report = await backend.monitor.report({collection: 'Mixed', periodMs: 7 * 86_400_000})
      expect(JSON.stringify(report)).toContain('Mixed')
      await expectAtpError(backend.monitor.report({collection: 'Nowhere', periodMs: 86_400_000}), {exitCode: 3})
    })

    it('deletes a deployed policy only when confirmed, and lists generated packages', async () => {
      const {backend} = get()
      // Deployed: in use, so refused unless confirmed, and nothing changes.
      await expectAtpError(backend.policies.delete('Key only'), {code: 'REFUSED_IN_USE', exitCode: 4, message: /Mixed/})
      expect((await backend.policies.delete('Key only', {dryRun: true})).impact).toMatchObject({inUse: true, uses: [expect.objectContaining({kind: 'deployment', names: ['Mixed']})]})
      const deleted = await backend.policies.delete('Key only', {force: true})
      expect(deleted).toMatchObject({policy: {name: 'Key only'}, changed: true})
      await expectAtpError(backend.policies.get('Key only'), {exitCode: 3})
      const createdAt = new Date().toISOString()
      const recorded = await backend.packages.record({
        kind: 'offboarding',
        os: 'linux',
        method: 'local-script',
        fileName: 'WindowsDefenderATPOffboardingPackage_valid_until_2030-01-01.zip',
        path: '/tmp/offboarding.zip',
        sha256: 'a'.repeat(64),
        bytes: 1234,
        createdAt,
        expiresAt: '2030-01-01T00:00:00.000Z',
      })
      expect(recorded).toMatchObject({kind: 'offboarding', orgId: (await backend.tenant.get())!.orgId, id: expect.any(String)})
      expect((await backend.packages.list({kind: 'offboarding'})).items.map((p) => p.id)).toEqual([recorded.id])
      expect((await backend.packages.list({kind: 'onboarding'})).items).toEqual([])
    })
  },
}
