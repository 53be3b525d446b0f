import type {Migration} from './index.js'

/**
 * Issue 13: report-only conditional access policies (Graph's `enabledForReportingButNotEnforced`,
 * IN8): evaluated at every access check and reported, never enforced. `enabled` stays the
 * enforced flag (0 for a report-only policy), so every reader of enforced policies is unchanged.
 */
export const accessReportOnly: Migration = {
  version: 12,
  name: 'access-report-only',
  sql: `
    ALTER TABLE access_policy ADD COLUMN report_only INTEGER NOT NULL DEFAULT 0;
  `,
}
