/**
 * Hand-built tenant-as-code plans for the report tests (JUnit, HTML, headless Chromium): every
 * action, a blocking prediction and a note, a secret field, and names an attacker could
 * choose (markup, quotes, an ESC sequence, a bidi override, a NUL).
 */
import type {SetupPlan} from '../../src/core/tenant-file/plan-types.js'

/** A collection name meant to break out of markup, attributes and terminals. */
export const HOSTILE = `<script>alert("x")</script>&'"\u001B[31m\u202Eexe.txt\u0000]]>`

export function everyActionPlan(over: Partial<SetupPlan> = {}): SetupPlan {
  return {
    format: 'atpctl-plan/1',
    createdAt: '2026-12-02T10:00:00.000Z',
    profile: 'prod',
    backend: 'local',
    file: 'tenant/atpctl.yaml',
    prune: true,
    documentSha256: 'a'.repeat(64),
    tenantSha256: 'b'.repeat(64),
    resources: [
      {kind: 'tenant', name: 'tenant', action: 'unchanged', fields: [], at: {file: 'tenant/atpctl.yaml', line: 2, column: 1}},
      {kind: 'group', name: 'Finance laptops', action: 'create', fields: [], at: {file: 'tenant/atpctl.yaml', line: 8, column: 5}},
      {
        kind: 'collection',
        name: HOSTILE,
        action: 'update',
        fields: [
          {field: 'rules', current: ['os:windows'], desired: ['os:windows', 'name:web-*']},
          {field: 'limitTo', current: null, desired: 'All servers'},
        ],
        at: {file: 'tenant/atpctl.yaml', line: 14, column: 5},
      },
      {
        kind: 'policy',
        name: 'Servers onboarding',
        action: 'update',
        fields: [{field: 'workspaceKey', current: '(secret)', desired: '(secret)'}],
        at: {file: 'tenant/atpctl.yaml', line: 30, column: 5},
      },
      {kind: 'deployment', name: 'Servers onboarding -> All servers', action: 'create', fields: [], at: {file: 'tenant/atpctl.yaml', line: 38, column: 9}},
      {kind: 'edr-profile', name: 'Old EDR', action: 'delete', fields: []},
      {kind: 'compliance-policy', name: 'Windows baseline', action: 'unchanged', fields: [], at: {file: 'tenant/atpctl.yaml', line: 44, column: 5}},
      {kind: 'access-policy', name: 'Legacy block', action: 'unmanaged', fields: []},
    ],
    predictions: [
      {kind: 'deployment', name: 'Servers onboarding -> All servers', code: 'DEVICES_MISSED', message: '3 devices in All servers would miss the policy: web-07 runs ConfigMgr 1902 (needs 2002).', blocking: false},
      {kind: 'tenant', name: 'tenant', code: 'LOCATION_FIXED', message: 'The tenant is in eu, the file says us; a tenant location is never changed.', blocking: true},
    ],
    summary: {create: 2, update: 2, delete: 1, unchanged: 2, unmanaged: 1},
    ...over,
  }
}

/** The same tenant as the file: nothing to do. */
export function cleanPlan(): SetupPlan {
  return everyActionPlan({
    prune: false,
    resources: [
      {kind: 'tenant', name: 'tenant', action: 'unchanged', fields: [], at: {file: 'tenant/atpctl.yaml', line: 2, column: 1}},
      {kind: 'group', name: 'Finance laptops', action: 'unchanged', fields: [], at: {file: 'tenant/atpctl.yaml', line: 8, column: 5}},
    ],
    predictions: [],
    summary: {create: 0, update: 0, delete: 0, unchanged: 2, unmanaged: 0},
  })
}
