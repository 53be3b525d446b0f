import type {Migration} from './index.js'

/**
 * Issue 15: processing sensor events once, and fast at a million alerts.
 * - `sensor_spool_progress`: per event spool file, the last event id already processed, written
 *   in the same transaction as the alerts and device reports of those events, so a spool
 *   replayed after a crash skips them instead of raising their alerts again.
 * - `alert_incident`: the next incident id is MAX(incident_id) + 1, one index probe instead of a
 *   scan of every alert.
 * - `alert_machine_file`: the duplicate-file check finds the same file on the same machine in
 *   one probe, not by reading every alert the machine raised in the last minute.
 */
export const sensorEvents: Migration = {
  version: 9,
  name: 'sensor-events',
  sql: `
    CREATE TABLE sensor_spool_progress (
      spool_id TEXT PRIMARY KEY,
      last_event_id INTEGER NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX alert_incident ON alert(incident_id);
    CREATE INDEX alert_machine_file ON alert(machine_id, evidence_file_names, created_at);
  `,
}
