/**
 * The HTML report of a tenant-as-code plan (issue 14, `validate --html`): one self-contained
 * page — inline CSS, no script, no font, no image, nothing fetched (a Content-Security-Policy of
 * `default-src 'none'` says so to the browser too) — with a summary (the counts of each action,
 * profile, backend, file, when) and one table row per difference (kind, name, action, field,
 * current, desired, file:line), then the rule predictions. Every text from the file or the
 * tenant is HTML-escaped, and control characters and bidi overrides are shown escaped.
 */
import type {PlanSummary, ResourceAction, SetupPlan} from '../../core/tenant-file/plan-types.js'
import {terminalSafe} from '../terminal-text.js'
import {actionMeaning, differenceLines, isDrift, positionText} from './setup-values.js'
import {planValue} from './setup-plan.js'

/** Escapes text for HTML element content and quoted attribute values. */
export function htmlEscape(text: string): string {
  return terminalSafe(text).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!)
}

const ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

const e = htmlEscape

const ACTIONS: readonly (keyof PlanSummary)[] = ['create', 'update', 'delete', 'unchanged', 'unmanaged']

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-alt: #f6f8fa;
  --create: #1a7f37; --update: #9a6700; --delete: #cf222e; --unmanaged: #59636e; --unchanged: #59636e; }
* { box-sizing: border-box; }
body { margin: 2rem; color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.status { font-size: 1.1rem; font-weight: 600; margin: .5rem 0 1rem; }
.status.drift { color: var(--delete); } .status.clean { color: var(--create); }
dl.about { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.about dt { color: var(--muted); } dl.about dd { margin: 0; overflow-wrap: anywhere; }
ul.counts { display: flex; flex-wrap: wrap; gap: .75rem; list-style: none; padding: 0; margin: 1rem 0; }
ul.counts li { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; min-width: 7rem; }
ul.counts .n { display: block; font-size: 1.6rem; font-weight: 700; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--bg-alt); }
td code { white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.4 ui-monospace, monospace; }
.absent { color: var(--muted); font-style: italic; }
.action { font-weight: 600; }
.create .action, .n.create { color: var(--create); } .update .action, .n.update { color: var(--update); }
.delete .action, .n.delete { color: var(--delete); } .unmanaged .action, .n.unmanaged { color: var(--unmanaged); }
.blocking { color: var(--delete); font-weight: 600; }
td.code code { white-space: nowrap; }
#unchanged { margin-top: 1.5rem; }
footer { margin-top: 2rem; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
`

function valueCell(value: unknown): string {
  if (value === undefined || value === null) return `<td><span class="absent">${e(planValue(value))}</span></td>`
  return `<td><code>${e(planValue(value))}</code></td>`
}

/** What the file asks of a resource as a whole (a row with no field). */
const WHOLE_DESIRED: Record<ResourceAction, string> = {
  create: '(as the file says)',
  update: '(as the file says)',
  delete: '(absent)',
  unmanaged: '(not in the file)',
  unchanged: '(as the file says)',
}

function wholeCell(text: string): string {
  return `<td><span class="absent">${e(text)}</span></td>`
}

function statusLine(plan: SetupPlan): string {
  const drift = plan.resources.filter(isDrift).length
  const blocking = plan.predictions.filter((p) => p.blocking).length
  const parts: string[] = []
  if (drift > 0) parts.push(`${drift} resource${drift === 1 ? '' : 's'} differ${drift === 1 ? 's' : ''} from the file`)
  if (blocking > 0) parts.push(`${blocking} rule prediction${blocking === 1 ? '' : 's'} would refuse apply`)
  if (parts.length === 0) return '<p class="status clean" id="status">No drift: the tenant matches the file.</p>'
  return `<p class="status drift" id="status">Drift: ${parts.join('; ')}.</p>`
}

function differencesTable(plan: SetupPlan): string {
  const lines = differenceLines(plan)
  if (lines.length === 0) return '<p id="no-differences">No differences.</p>'
  const rows = lines.map(({resource, field}) => {
    const action: ResourceAction = resource.action
    // A create lacks a current value, a delete or unmanaged resource a desired one.
    const current = field ? (action === 'create' ? wholeCell('(absent)') : valueCell(field.current)) : wholeCell(action === 'create' ? '(absent)' : '(present)')
    const desired = field ? valueCell(field.desired) : wholeCell(WHOLE_DESIRED[action])
    const fieldCell = field ? `<td><code>${e(field.field)}</code></td>` : '<td><span class="absent">(whole resource)</span></td>'
    return [
      `<tr class="${e(action)}">`,
      `<td>${e(resource.kind)}</td>`,
      `<td>${e(resource.name)}</td>`,
      `<td class="action" title="${e(actionMeaning(resource))}">${e(action)}</td>`,
      fieldCell,
      current,
      desired,
      `<td>${e(positionText(resource.at))}</td>`,
      '</tr>',
    ].join('')
  })
  return [
    '<table id="differences">',
    '<thead><tr><th>Kind</th><th>Name</th><th>Action</th><th>Field</th><th>Current</th><th>Desired</th><th>File:line</th></tr></thead>',
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ].join('\n')
}

function predictionsTable(plan: SetupPlan): string {
  if (plan.predictions.length === 0) return '<p id="no-predictions">No prediction: no rule would refuse apply or add a note.</p>'
  const rows = plan.predictions.map(
    (p) =>
      `<tr><td>${e(p.kind)}</td><td>${e(p.name)}</td><td class="code"><code>${e(p.code)}</code></td><td>${e(p.message)}</td>` +
      `<td>${p.blocking ? '<span class="blocking">blocks apply</span>' : 'note'}</td></tr>`,
  )
  return [
    '<table id="predictions">',
    '<thead><tr><th>Kind</th><th>Name</th><th>Code</th><th>What the rule says</th><th>Effect</th></tr></thead>',
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ].join('\n')
}

function unchangedList(plan: SetupPlan): string {
  const unchanged = plan.resources.filter((r) => r.action === 'unchanged')
  if (unchanged.length === 0) return ''
  return [
    `<details id="unchanged"><summary>${unchanged.length} unchanged resource${unchanged.length === 1 ? '' : 's'}</summary>`,
    '<ul>',
    ...unchanged.map((r) => `<li>${e(r.kind)} ${e(r.name)}${r.at ? ` <span class="absent">${e(positionText(r.at))}</span>` : ''}</li>`),
    '</ul>',
    '</details>',
  ].join('\n')
}

/** The self-contained HTML report of a plan. */
export function renderPlanHtml(plan: SetupPlan): string {
  const counts = ACTIONS.map((a) => `<li><span class="n ${a}" data-count="${a}">${e(String(plan.summary[a]))}</span>${a}</li>`).join('')
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing may be fetched: no script, font, image, frame or connection, only the inline style.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>atpctl validate: ${e(plan.file)} (profile ${e(plan.profile)})</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>Tenant set-up: ${e(plan.file)}</h1>`,
    statusLine(plan),
    '<dl class="about" id="about">',
    `<dt>Profile</dt><dd>${e(plan.profile)}</dd>`,
    `<dt>Backend</dt><dd>${e(plan.backend)}</dd>`,
    `<dt>File</dt><dd>${e(plan.file)}</dd>`,
    `<dt>When</dt><dd><time datetime="${e(plan.createdAt)}">${e(plan.createdAt)}</time></dd>`,
    `<dt>Prune</dt><dd>${plan.prune ? 'yes: what the file does not name is deleted' : 'no: what the file does not name is left alone (unmanaged)'}</dd>`,
    '</dl>',
    `<ul class="counts" id="summary">${counts}</ul>`,
    '<h2>Differences</h2>',
    differencesTable(plan),
    '<h2>Rule predictions</h2>',
    predictionsTable(plan),
    unchangedList(plan),
    `<footer>Plan ${e(plan.format)}; file SHA-256 <code>${e(plan.documentSha256)}</code>; tenant SHA-256 <code>${e(plan.tenantSha256)}</code>.</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
