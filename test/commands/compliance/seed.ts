import {openLocalBackend} from '../../../src/backends/local/index.js'
import {normaliseRow} from '../../../src/core/device/inventory.js'
import {databasePath} from '../../../src/lib/paths.js'

/** Imports inventory rows into the profile's embedded backend, as `device import` would. */
export async function seedDevices(home: string, rows: Record<string, string>[]): Promise<void> {
  const backend = await openLocalBackend(databasePath(home, 'default'), {profile: 'default', actor: 'test:seed'})
  try {
    const lastSeen = new Date(Date.now() - 60_000).toISOString()
    await backend.devices.import({records: rows.map((r, i) => normaliseRow({lastSeen, ...r}, i + 2))})
  } finally {
    await backend.close()
  }
}
