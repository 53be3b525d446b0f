import {normaliseRow} from '../../../src/core/device/inventory.js'
import {expectAtpError} from './expect.js'
import type {ContractSuite} from './harness.js'

const seen = () => new Date(Date.now() - 3_600_000).toISOString()

/**
 * Long-running operations (issue 11 item 5) and the offboard action (issue 12; DC9, REFERENCE
 * §8.3) through every backend: the embedded and served backends finish at once (succeeded)
 * through the same contract a real tenant follows; the rules run in the backend for every caller.
 */
export const operationsSuite: ContractSuite = {
  name: 'operations and device offboarding',
  withTenant: true,
  define(get) {
    beforeAll(async () => {
      const {admin} = get()
      const arc = {managedBy: 'defender-for-cloud', environment: 'azure-arc', subscription: 'sub-ops', lastSeen: seen()}
      await admin.devices.import({
        records: [
          normaliseRow({name: 'arc-srv-01', os: 'Windows Server 2019', version: '10.0.17763', ...arc}, 2),
          normaliseRow({name: 'arc-srv-02', os: 'Windows Server 2022', version: '10.0.20348', ...arc}, 3),
          normaliseRow({name: 'arc-lnx-01', os: 'Ubuntu 22.04', ...arc}, 4),
          normaliseRow({name: 'cm-never', os: 'Windows 11 Enterprise', managedBy: 'configmgr'}, 5),
        ],
      })
      await admin.integrations.enableDefenderForCloud({subscriptionId: 'sub-ops', cloud: 'commercial', linux: false, windowsOnly: false})
    })

    it('offboards one device per call: a finished operation, the device no longer onboarded, the comment kept; again answers with the same operation', async () => {
      const {backend} = get()
      expect((await backend.devices.get('arc-srv-01')).onboarded).toBe(true)
      const operation = await backend.devices.offboard({device: 'ARC-SRV-01', comment: '  decommissioned, ticket 4711 '})
      expect(operation).toMatchObject({
        kind: 'device.offboard',
        status: 'succeeded',
        target: 'arc-srv-01',
        result: {device: 'arc-srv-01', osName: 'Windows Server 2019', comment: 'decommissioned, ticket 4711'},
      })
      expect(operation.finishedAt).toBe(operation.startedAt)
      const device = await backend.devices.get('arc-srv-01')
      expect(device).toMatchObject({onboarded: false, health: 'not-onboarded', onboarding: {reasonCode: 'offboarded', path: null}})
      expect(device.offboarded).toEqual({at: operation.startedAt, comment: 'decommissioned, ticket 4711', operationId: operation.id})
      // Never a second action: the same operation comes back.
      expect(await backend.devices.offboard({device: 'arc-srv-01', comment: 'again'})).toEqual(operation)
      expect(await backend.operations.get(operation.id)).toEqual(operation)
      // A re-import of the inventory keeps it offboarded.
      await backend.devices.import({records: [normaliseRow({name: 'arc-srv-01', os: 'Windows Server 2019', version: '10.0.17763', managedBy: 'defender-for-cloud', environment: 'azure-arc', subscription: 'sub-ops', lastSeen: seen()}, 2)]})
      expect((await backend.devices.get('arc-srv-01')).onboarding.reasonCode).toBe('offboarded')
    })

    it('refuses Linux and not-onboarded devices (exit 4, with the reason), unknown ones (exit 3), a missing comment (exit 2); none is recorded', async () => {
      const {backend} = get()
      expect((await backend.devices.get('arc-lnx-01')).onboarded).toBe(true)
      await expectAtpError(backend.devices.offboard({device: 'arc-lnx-01', comment: 'retired'}), {code: 'REFUSED_OFFBOARD_PLATFORM', exitCode: 4, message: /does not offboard Linux or macOS/})
      expect((await backend.devices.get('arc-lnx-01')).onboarded).toBe(true)
      await expectAtpError(backend.devices.offboard({device: 'cm-never', comment: 'retired'}), {code: 'REFUSED_NOT_ONBOARDED', exitCode: 4})
      await expectAtpError(backend.devices.offboard({device: 'ghost', comment: 'retired'}), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(backend.devices.offboard({device: 'arc-srv-02', comment: '   '}), {exitCode: 2})
      await expectAtpError(backend.devices.offboard({device: 'arc-srv-02', comment: 'bad\u001b[31m'}), {exitCode: 2})
      expect((await backend.devices.get('arc-srv-02')).onboarded).toBe(true)
      expect((await backend.operations.list({kind: 'device.offboard'})).items.map((o) => o.target)).toEqual(['arc-srv-01'])
    })

    it('lists operations newest first, filtered by kind and status, in cursor pages; gets one by id; unknown id exit 3, bad cursor exit 2', async () => {
      const {backend} = get()
      const second = await backend.devices.offboard({device: 'arc-srv-02', comment: 'retired'})
      const all = await backend.operations.list()
      expect(all.items[0]).toEqual(second)
      expect(all.nextCursor).toBeNull()
      const first = await backend.operations.list({kind: 'device.offboard', status: 'succeeded', limit: 1})
      expect(first.items.map((o) => o.target)).toEqual(['arc-srv-02'])
      expect(first.nextCursor).not.toBeNull()
      const next = await backend.operations.list({kind: 'device.offboard', limit: 1, cursor: first.nextCursor!})
      expect(next).toMatchObject({items: [{target: 'arc-srv-01'}], nextCursor: null})
      expect((await backend.operations.list({status: 'running'})).items).toEqual([])
      expect((await backend.operations.list({kind: 'nothing.like.this'})).items).toEqual([])
      await expectAtpError(backend.operations.get('00000000-0000-0000-0000-000000000000'), {code: 'NOT_FOUND', exitCode: 3})
      await expectAtpError(backend.operations.list({cursor: 'not-a-cursor'}), {exitCode: 2})
    })
  },
}
