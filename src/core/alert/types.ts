/**
 * The alert shape of the Microsoft Defender for Endpoint alerts API (REFERENCE §2.3), the
 * subset atpctl records. Field names and enum spellings follow Microsoft's wire format.
 */
export const SEVERITIES = ['UnSpecified', 'Informational', 'Low', 'Medium', 'High'] as const
export type Severity = (typeof SEVERITIES)[number]

export const ALERT_STATUSES = ['New', 'InProgress', 'Resolved'] as const
export type AlertStatus = (typeof ALERT_STATUSES)[number]

export interface AlertEvidence {
  entityType: 'File' | 'Process'
  fileName: string | null
  filePath: string | null
  sha256: string | null
  processCommandLine: string | null
  detectionStatus: 'Detected' | 'Prevented' | 'Blocked' | null
}

export interface AlertComment {
  comment: string
  createdBy: string
  createdTime: string
}

export interface Alert {
  /** Microsoft style: "da" + .NET ticks + "_" + a number, e.g. da637472900382838869_1364969609. */
  id: string
  incidentId: number
  title: string
  description: string
  severity: Severity
  status: AlertStatus
  category: string
  detectionSource: string
  threatFamilyName: string | null
  threatName: string | null
  mitreTechniques: string[]
  machineId: string
  computerDnsName: string
  alertCreationTime: string
  firstEventTime: string
  lastEventTime: string
  lastUpdateTime: string
  resolvedTime: string | null
  classification: string | null
  determination: string | null
  comments: AlertComment[]
  evidence: AlertEvidence[]
}

export interface AlertFilter {
  /** Device name, DNS name or machine id. */
  device?: string
  severity?: Severity
  status?: AlertStatus
  /** ISO-8601: only alerts created at or after this time. */
  since?: string
}

/** What a detection creates; the backend adds id, status and times. */
export interface NewAlert {
  title: string
  description: string
  severity: Severity
  category: string
  detectionSource: string
  threatFamilyName: string | null
  threatName: string | null
  mitreTechniques: string[]
  determination: string | null
  evidence: AlertEvidence[]
}
