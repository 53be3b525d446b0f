import type {ExtractResult} from '../../core/package/extract.js'
import type {GeneratedPackage} from '../../core/package/generate.js'
import type {PackageInspection} from '../../core/package/inspect.js'
import type {PackageListEntry, WorkspaceInfo} from '../../core/package/service.js'
import {deviates, describeLines, type StructureCheck} from '../../core/package/structure.js'
import {renderFields, renderTable} from '../table.js'
import {style} from '../style.js'

const yesNo = (ok: boolean) => (ok ? style.ok('valid') : style.bad('INVALID'))

export function presentInspection(i: PackageInspection): string {
  const signer =
    i.signer.kind === 'tenant'
      ? style.ok("this profile's tenant")
      : i.signer.kind === 'microsoft'
        ? style.ok(i.signer.trustedBy === 'added-root' ? `Microsoft (chains to ${i.signer.rootSubject}, a root added with --trust-root)` : 'Microsoft (chains to Microsoft Root Certificate Authority 2011)')
        : style.warn(`unknown issuer: ${i.signer.rootSubject}`)
  const belongs = i.belongsToTenant === null ? style.dim('unknown (no tenant in this profile)') : i.belongsToTenant ? style.ok('yes') : style.warn('no')
  const fields: [string, string][] = [
    ['File', `${i.fileName} (${i.container}${i.container === 'zip' ? `, ${i.entryCount} entries` : ''})`],
    ['Kind', i.kind + (i.streamlined ? ' (streamlined/gateway)' : '')],
    ['OS', i.os ?? '-'],
    ['Method', i.methodCandidates.length > 1 ? `${i.method} (also fits: ${i.methodCandidates.slice(1).join(', ')})` : (i.method ?? '-')],
    ['Carriers', i.carriers.map((c) => `${c.path} [${c.carrier}]`).join(', ')],
    ['Org id', i.orgId],
    ['Datacenter', i.datacenter ?? '-'],
    ['Geo', i.geo ?? '-'],
    ['Blob version', i.version],
  ]
  if (i.kind === 'offboarding') {
    const days = i.daysLeft ?? 0
    fields.push(['Expires', `${i.expiresAt} (${days < 0 || (i.expiresAt && i.problems.some((p) => p.code === 'PACKAGE_EXPIRED')) ? style.bad('expired') : `${days} day(s) left`})`])
  }

  fields.push(
    ['SHA-1 signature', yesNo(i.signatures.sha1Valid)],
    ['SHA-256 signature', yesNo(i.signatures.sha256Valid)],
    ...(i.signatures.sha256PssValid === null ? [] : ([['SHA-256 PSS signature', yesNo(i.signatures.sha256PssValid)]] as [string, string][])),
    ['Certificate chain', yesNo(i.signatures.chainValid)],
    ['Carrier layout', layoutSummary(i)],
    ['Signed by', signer],
    ['Signing certificate', `${i.signer.subject} (valid until ${i.signer.leafNotAfter.slice(0, 10)})`],
    ['This tenant', belongs],
    ['SHA-256', i.sha256],
  )
  return renderFields(fields)
}

/** The structure check (lines by number only: a line may hold the blob). */
function layoutSummary(i: PackageInspection): string {
  const altered = i.structure.filter(deviates)
  const what = (s: StructureCheck) =>
    s.layout === null
      ? `${s.path} (not part of any layout)`
      : [s.path, s.unexpectedLines.length > 0 ? describeLines(s.unexpectedLines) : '', s.missingLines > 0 ? `(${s.missingLines} line(s) missing)` : ''].filter(Boolean).join(' ')
  if (altered.length > 0) return style.bad(`ALTERED: ${altered.map(what).join('; ')}`)
  const families = new Set(i.structure.filter((s) => s.layout !== null).map((s) => (s.layout === 'atpctl' ? 'atpctl' : 'portal')))
  const unchecked = i.structure.filter((s) => s.layout === null).length
  return style.ok(`${[...families].join(' and ')} (every line matches)`) + (unchecked > 0 ? style.dim(` ${unchecked} file(s) not checked`) : '')
}

export function presentGenerated(p: GeneratedPackage): string {
  return renderFields([
    ['Package', p.file],
    ['Kind', p.kind],
    ['OS / method', `${p.os} / ${p.method}`],
    ['Contents', p.entries.length > 0 ? p.entries.join(', ') : 'one file'],
    ...(p.subscriptionId ? ([['Downloaded from', `Defender for Cloud subscription ${p.subscriptionId}, exactly as Microsoft sent it`]] as [string, string][]) : []),
    ['Org id', p.orgId],
    ...(p.expiresAt ? ([['Valid until', p.expiresAt]] as [string, string][]) : []),
    ['SHA-256', p.sha256],
  ])
}

export function presentPackages(packages: PackageListEntry[]): string {
  if (packages.length === 0) return 'No packages generated yet. Generate one: atpctl package generate onboarding --os windows --method local-script'
  return renderTable(
    ['ID', 'KIND', 'OS', 'METHOD', 'CREATED', 'EXPIRES', 'FILE', 'SHA-256'],
    packages.map((p) => [
      p.id,
      p.kind,
      p.os,
      p.method,
      p.createdAt.slice(0, 19) + 'Z',
      p.expiresAt ? (p.expired ? style.bad(`${p.expiresAt.slice(0, 10)} expired`) : `${p.expiresAt.slice(0, 10)} (${p.daysLeft}d)`) : '-',
      p.fileName,
      p.sha256.slice(0, 12),
    ]),
  )
}

export function presentExtract(r: ExtractResult): string {
  return [`Extracted ${r.files.length} file(s), ${r.totalBytes} bytes, into ${r.dir}:`, ...r.files.map((f) => `  ${f.path} (${f.bytes} bytes)`)].join('\n')
}

export function presentWorkspace(w: WorkspaceInfo): string {
  return renderFields([
    ['Org id', w.orgId],
    ['Workspace ID', w.workspaceId],
    ['Workspace key', w.workspaceKey],
  ])
}
