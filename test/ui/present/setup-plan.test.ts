import type {SetupPlan} from '../../../src/core/tenant-file/plan-types.js'
import {renderPlanText} from '../../../src/ui/present/setup-plan.js'

const base: SetupPlan = {
  format: 'atpctl-plan/1',
  createdAt: '2026-12-01T10:00:00.000Z',
  profile: 'lab',
  backend: 'local',
  file: 'atpctl.yaml',
  prune: false,
  documentSha256: 'a'.repeat(64),
  tenantSha256: 'b'.repeat(64),
  resources: [],
  predictions: [],
  summary: {create: 0, update: 0, delete: 0, unchanged: 0, unmanaged: 0},
}

describe('renderPlanText', () => {
  it('shows creates, updates field by field, deletes, the unmanaged list, predictions and the summary', () => {
    const text = renderPlanText({
      ...base,
      resources: [
        {kind: 'group', name: 'Finance', action: 'create', fields: [{field: 'description', current: undefined, desired: 'Money'}], at: {file: 'atpctl.yaml', line: 3, column: 5}},
        {kind: 'policy', name: 'Any OS', action: 'update', fields: [{field: 'sampleSharing', current: 'all', desired: 'none'}, {field: 'workspaceKey', current: '(secret)', desired: null}], at: {file: 'atpctl.yaml', line: 9, column: 5}},
        {kind: 'collection', name: 'Old', action: 'delete', fields: []},
        {kind: 'collection', name: 'Servers', action: 'unchanged', fields: []},
        {kind: 'app-config', name: 'iOS', action: 'unmanaged', fields: []},
      ],
      predictions: [{kind: 'deployment', name: 'Any OS -> Servers', code: 'DEVICES_MISSED', message: '1 of 2 devices would not get the policy.', blocking: true}],
      summary: {create: 1, update: 1, delete: 1, unchanged: 1, unmanaged: 1},
    })
    expect(text.split('\n')).toEqual([
      "atpctl will make these changes to profile 'lab' (local):",
      '',
      '  + create group "Finance"  (atpctl.yaml:3)',
      '      description: "Money"',
      '  ~ update policy "Any OS"  (atpctl.yaml:9)',
      '      sampleSharing: "all" -> "none"',
      '      workspaceKey: (secret) -> (none)',
      '  - delete collection "Old"',
      '',
      'Not in the file (left alone; --prune deletes those of the kinds the file lists):',
      '  app configuration "iOS"',
      '',
      'What the rules predict:',
      '  ✗ blocks apply  deployment "Any OS -> Servers" [DEVICES_MISSED]: 1 of 2 devices would not get the policy.',
      '',
      'Plan: 1 to create, 1 to change, 1 to delete; 1 unchanged, 1 unmanaged. 1 prediction blocks apply.',
    ])
  })

  it('says so when nothing changes', () => {
    expect(renderPlanText({...base, summary: {...base.summary, unchanged: 4}})).toBe(
      "No changes: profile 'lab' (local) matches atpctl.yaml.\n\nPlan: 0 to create, 0 to change, 0 to delete; 4 unchanged, 0 unmanaged.",
    )
  })
})
