import {join} from 'node:path'
import {NEXT_INCIDENT_SQL} from '../../src/backends/local/alerts.js'
import {openDatabase} from '../../src/backends/local/database.js'
import {DUPLICATE_FILE_SQL} from '../../src/backends/local/detection.js'
import {tempHome} from '../helpers/cli.js'

// Issue 15, item 11: every alert insert ran MAX(incident_id) over the whole alert table
// (41–50 ms at 100,000 alerts), and the duplicate-file check read every alert the machine raised
// in the last minute. Both are index probes now, so raising an alert costs the same at a
// million alerts as at none.
describe('raising an alert reads no more than an index probe', () => {
  const {home, cleanup} = tempHome('atpctl-alert-plan-')
  afterAll(cleanup)

  const plan = async (sql: string, params: unknown[]) => {
    const db = await openDatabase(join(home, 'tenant.db'))
    try {
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {detail: string}[]).map((r) => r.detail)
    } finally {
      db.close()
    }
  }

  it('the next incident id comes from the alert_incident index, not a scan', async () => {
    const detail = await plan(NEXT_INCIDENT_SQL, [])
    expect(detail.join('\n')).toMatch(/SEARCH alert USING COVERING INDEX alert_incident/)
    expect(detail.join('\n')).not.toMatch(/SCAN alert/)
  })

  it('the duplicate-file check seeks the machine and file name', async () => {
    const detail = await plan(DUPLICATE_FILE_SQL, ['m', '/a.com/', '2026-01-01', 't', '[]'])
    expect(detail.join('\n')).toMatch(/SEARCH alert USING INDEX alert_machine_file \(machine_id=\? AND evidence_file_names=\? AND created_at>\?\)/)
  })
})
