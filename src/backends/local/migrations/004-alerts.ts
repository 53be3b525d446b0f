import type {Migration} from './index.js'

/** The alert queue (issue 5: detection checks). Shape of REFERENCE §2.3. */
export const alerts: Migration = {
  version: 4,
  name: 'alerts',
  sql: `
    CREATE TABLE alert (
      id TEXT PRIMARY KEY,
      incident_id INTEGER NOT NULL,
      title TEXT NOT NULL,
      description TEXT NOT NULL,
      severity TEXT NOT NULL CHECK (severity IN ('UnSpecified','Informational','Low','Medium','High')),
      severity_rank INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('New','InProgress','Resolved')),
      category TEXT NOT NULL,
      detection_source TEXT NOT NULL,
      threat_family_name TEXT,
      threat_name TEXT,
      mitre_techniques TEXT NOT NULL DEFAULT '[]',
      machine_id TEXT NOT NULL,
      computer_dns_name TEXT NOT NULL,
      device_name TEXT NOT NULL,
      -- The inventory row (device.id of issue 4) for set-based joins, e.g. compliance risk.
      device_id INTEGER,
      created_at TEXT NOT NULL,
      first_event_time TEXT NOT NULL,
      last_event_time TEXT NOT NULL,
      last_update_time TEXT NOT NULL,
      resolved_time TEXT,
      classification TEXT,
      determination TEXT,
      comments TEXT NOT NULL DEFAULT '[]',
      evidence TEXT NOT NULL DEFAULT '[]',
      evidence_file_names TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX alert_machine_created ON alert(machine_id, created_at);
    CREATE INDEX alert_created ON alert(created_at);
    CREATE INDEX alert_active ON alert(device_id, severity_rank) WHERE status <> 'Resolved';
  `,
}
