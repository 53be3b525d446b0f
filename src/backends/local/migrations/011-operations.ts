import type {Migration} from './index.js'

/**
 * Issue 11 item 5 and issue 12: long-running operations and device offboarding.
 * - `operation`: every write that returns an Operation (a deployment, an offboarding),
 *   written in the same transaction as the write it records. The embedded backend finishes at
 *   once, so its rows are `succeeded` when they are written; the column allows the states a
 *   real tenant reports. `seq` orders them (newest first) and is the list's cursor.
 * - `device.offboarded_at`, `offboard_comment`, `offboard_operation`: the offboard machine
 *   action (seed 001, DC9). An offboarded device is no longer onboarded, whatever its policies
 *   and integrations say; its comment is kept, and a second offboard finds the first operation
 *   instead of acting twice. A re-import of the inventory keeps the state (the upsert does
 *   not list these columns).
 */
export const operations: Migration = {
  version: 11,
  name: 'operations',
  sql: `
    CREATE TABLE operation (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed')),
      target TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      result TEXT
    );
    CREATE INDEX operation_kind ON operation(kind, seq);
    CREATE INDEX operation_status ON operation(status, seq);

    ALTER TABLE device ADD COLUMN offboarded_at TEXT;
    ALTER TABLE device ADD COLUMN offboard_comment TEXT;
    ALTER TABLE device ADD COLUMN offboard_operation TEXT;
  `,
}
