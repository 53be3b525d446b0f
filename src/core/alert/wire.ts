/**
 * Alerts of a real tenant (REFERENCE §2.3) in atpctl's alert model. atpctl's model already uses
 * Microsoft's field names; this maps the values the API sends that the model narrows (status
 * Unknown, nullable ids, evidence of other entity types), and builds the PATCH of `alert resolve`.
 * Pure.
 */
import {EICAR_SHA256} from '../detect/eicar.js'
import {UsageError} from '../errors.js'
import {ALERT_STATUSES, type Alert, type AlertEvidence, type AlertStatus, SEVERITIES, type Severity} from './types.js'

export interface WireEvidence {
  entityType?: string | null
  sha1?: string | null
  sha256?: string | null
  fileName?: string | null
  filePath?: string | null
  processCommandLine?: string | null
  detectionStatus?: string | null
}

export interface WireAlert {
  id: string
  incidentId?: number | null
  title?: string | null
  description?: string | null
  severity?: string | null
  status?: string | null
  category?: string | null
  detectionSource?: string | null
  threatFamilyName?: string | null
  threatName?: string | null
  mitreTechniques?: string[] | null
  machineId?: string | null
  computerDnsName?: string | null
  alertCreationTime?: string | null
  firstEventTime?: string | null
  lastEventTime?: string | null
  lastUpdateTime?: string | null
  resolvedTime?: string | null
  classification?: string | null
  determination?: string | null
  comments?: {comment?: string | null; createdBy?: string | null; createdTime?: string | null}[] | null
  evidence?: WireEvidence[] | null
}

function pick<T extends string>(values: readonly T[], value: string | null | undefined, fallback: T): T {
  return values.find((v) => v.toLowerCase() === (value ?? '').toLowerCase()) ?? fallback
}

const DETECTION_STATUSES = ['Detected', 'Prevented', 'Blocked'] as const

function evidenceOf(e: WireEvidence): AlertEvidence | null {
  const type = (e.entityType ?? '').toLowerCase()
  if (type !== 'file' && type !== 'process') return null
  const status = DETECTION_STATUSES.find((s) => s.toLowerCase() === (e.detectionStatus ?? '').toLowerCase()) ?? null
  return {
    entityType: type === 'file' ? 'File' : 'Process',
    fileName: e.fileName ?? null,
    filePath: e.filePath ?? null,
    sha256: e.sha256?.toLowerCase() ?? null,
    processCommandLine: e.processCommandLine ?? null,
    detectionStatus: status,
  }
}

/** An alert as the API sends it → atpctl's Alert. Status Unknown reads as New (not yet triaged). */
export function alertFromWire(a: WireAlert): Alert {
  const created = a.alertCreationTime ?? a.firstEventTime ?? a.lastUpdateTime ?? new Date(0).toISOString()
  return {
    id: a.id,
    incidentId: a.incidentId ?? 0,
    title: a.title ?? '',
    description: a.description ?? '',
    severity: pick<Severity>(SEVERITIES, a.severity, 'UnSpecified'),
    status: pick<AlertStatus>(ALERT_STATUSES, a.status, 'New'),
    category: a.category ?? '',
    detectionSource: a.detectionSource ?? '',
    threatFamilyName: a.threatFamilyName ?? null,
    threatName: a.threatName ?? null,
    mitreTechniques: a.mitreTechniques ?? [],
    machineId: a.machineId ?? '',
    computerDnsName: a.computerDnsName ?? '',
    alertCreationTime: created,
    firstEventTime: a.firstEventTime ?? created,
    lastEventTime: a.lastEventTime ?? created,
    lastUpdateTime: a.lastUpdateTime ?? created,
    resolvedTime: a.resolvedTime ?? null,
    classification: a.classification ?? null,
    determination: a.determination ?? null,
    comments: (a.comments ?? []).map((c) => ({comment: c.comment ?? '', createdBy: c.createdBy ?? '', createdTime: c.createdTime ?? ''})),
    evidence: (a.evidence ?? []).map(evidenceOf).filter((e): e is AlertEvidence => e !== null),
  }
}

/** SHA-256 of EICAR files a check may write or a device may see: bare, with LF, with CRLF (REFERENCE §6.1). */
export const EICAR_FILE_SHA256 = [EICAR_SHA256, '131f95c51cc819465fa1797f6ccacf9d494aaaff46fa3eac73ae63ffbdfd8267', '8b3f191819931d1f2cef7289239b5f77c00b079847b9c2636e56854d1e5eff71']
export const EICAR_FILE_SHA1 = ['3395856ce81f2b7382dee72602f798b642f14140']

/** Titles compare without case, spaces and punctuation: the portal writes "[Test Alert] … commandline" for "[TestAlert] … CommandLine". */
export function normaliseTitle(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '')
}

/**
 * Does a real tenant's alert answer a detection check (DT1, DT2)? The title must match; for an
 * EICAR check with a file name, the alert's file evidence must name that file or carry an EICAR
 * hash (the sensor may report the path it saw under another name, e.g. a quarantine copy).
 */
export function alertMatches(a: WireAlert, query: {machineId: string; title: string; since: string; evidenceFileName?: string}): boolean {
  if (a.machineId && a.machineId.toLowerCase() !== query.machineId.toLowerCase()) return false
  if (a.alertCreationTime && Date.parse(a.alertCreationTime) < Date.parse(query.since)) return false
  const titleMatch = normaliseTitle(a.title ?? '').includes(normaliseTitle(query.title))
  if (!query.evidenceFileName) return titleMatch
  const files = (a.evidence ?? []).filter((e) => (e.entityType ?? '').toLowerCase() === 'file')
  const named = files.some((e) => (e.fileName ?? '').toLowerCase() === query.evidenceFileName!.toLowerCase())
  const eicar = files.some((e) => EICAR_FILE_SHA256.includes((e.sha256 ?? '').toLowerCase()) || EICAR_FILE_SHA1.includes((e.sha1 ?? '').toLowerCase()))
  return named || (eicar && (titleMatch || /eicar/i.test(a.threatFamilyName ?? '')))
}

/** Microsoft's classification values (REFERENCE §2.3; the API's spelling). */
export const ALERT_CLASSIFICATIONS = ['Unknown', 'FalsePositive', 'TruePositive', 'InformationalExpectedActivity'] as const
export const ALERT_DETERMINATIONS = [
  'MultiStagedAttack',
  'MaliciousUserActivity',
  'CompromisedUser',
  'Malware',
  'Phishing',
  'UnwantedSoftware',
  'SecurityTesting',
  'LineOfBusinessApplication',
  'ConfirmedUserActivity',
  'Clean',
  'InsufficientData',
  'Other',
] as const

export type AlertClassification = (typeof ALERT_CLASSIFICATIONS)[number]
export type AlertDetermination = (typeof ALERT_DETERMINATIONS)[number]

/** How an alert is resolved: the API's classification and determination values, and a comment. */
export interface AlertResolution {
  comment?: string
  classification?: AlertClassification
  determination?: AlertDetermination
}

/** The wire value's command-line spelling: TruePositive → true-positive. */
const kebab = (value: string): string => value.replaceAll(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()

/** `alert resolve --classification` values (Unknown is not a resolution) → the API's values. */
export const CLASSIFICATION_CHOICES: Readonly<Record<string, AlertClassification>> = Object.fromEntries(
  ALERT_CLASSIFICATIONS.filter((c) => c !== 'Unknown').map((c) => [kebab(c), c]),
)
/** `alert resolve --determination` values → the API's values. */
export const DETERMINATION_CHOICES: Readonly<Record<string, AlertDetermination>> = Object.fromEntries(ALERT_DETERMINATIONS.map((d) => [kebab(d), d]))

/** The API's value of a command-line (or API-spelled) classification or determination; UsageError otherwise. */
function choose<T extends string>(choices: Readonly<Record<string, T>>, text: string, flag: string): T {
  const key = text.trim().toLowerCase()
  const found = choices[key] ?? Object.values(choices).find((v) => v.toLowerCase() === key)
  if (found) return found
  throw new UsageError(`Invalid ${flag} '${text}'.`, {suggestions: [`Use one of: ${Object.keys(choices).join(', ')}.`]})
}

export const parseClassification = (text: string): AlertClassification => choose(CLASSIFICATION_CHOICES, text, '--classification')
export const parseDetermination = (text: string): AlertDetermination => choose(DETERMINATION_CHOICES, text, '--determination')

/**
 * A resolution as every backend takes it, for every caller (the server trusts no client):
 * classification and determination are the API's values (either spelling accepted), the
 * comment trimmed, an empty one refused.
 */
export function checkResolution(options: {comment?: string; classification?: string; determination?: string} = {}): AlertResolution {
  const checked: AlertResolution = {}
  if (options.comment !== undefined) {
    const comment = options.comment.trim()
    if (comment === '') throw new UsageError('The comment is empty.', {suggestions: ['Pass --comment "why it is resolved", or leave it out.']})
    checked.comment = comment
  }

  if (options.classification !== undefined) checked.classification = parseClassification(options.classification)
  if (options.determination !== undefined) checked.determination = parseDetermination(options.determination)
  return checked
}

/** The PATCH body that resolves an alert: `status`, and classification, determination and comment when given. */
export function resolvePatch(resolution: AlertResolution = {}): {status: 'Resolved'} & AlertResolution {
  const {comment, classification, determination} = checkResolution(resolution)
  return {status: 'Resolved', ...(classification ? {classification} : {}), ...(determination ? {determination} : {}), ...(comment ? {comment} : {})}
}
