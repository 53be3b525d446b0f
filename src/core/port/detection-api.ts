/**
 * The alert queue and the detection engine of a backend (issue 5). JSON in, JSON out: binary
 * content travels as base64, activities as plain objects.
 */
import type {RiskLevel} from '../alert/rules.js'
import type {Alert, AlertFilter} from '../alert/types.js'
import type {AlertResolution} from '../alert/wire.js'
import type {Activity, TestAlertOs} from '../detect/test-alerts.js'
import type {DetectTarget} from '../detect/verdict.js'
import type {Page, PageRequest} from './page.js'

/** The waiter's one cheap query: the newest alert of a device with this title, or null. */
export interface AlertQuery {
  machineId: string
  title: string
  /** ISO-8601: created at or after. */
  since: string
  /** Only alerts whose evidence names this file (an EICAR check's unique file name). */
  evidenceFileName?: string
}

export interface AlertsApi {
  /** Newest first (created, then insertion order). */
  list(filter?: AlertFilter & PageRequest): Promise<Page<Alert>>
  /** NotFoundError for an unknown id. */
  get(id: string): Promise<Alert>
  /**
   * Sets status Resolved (idempotent), recording the comment, classification and determination
   * (checked by `checkResolution` in the backend, for every caller).
   */
  resolve(id: string, options?: AlertResolution): Promise<Alert>
  find(query: AlertQuery): Promise<Alert | null>
  /**
   * Risk level per machine id from its active alerts (None without any): the input of
   * compliance (IN7). Without ids, every machine that has alerts.
   */
  risks(machineIds?: string[]): Promise<Record<string, RiskLevel>>
}

export interface SubmitFileRequest {
  /** Device name or machine id. */
  device: string
  fileName: string
  /** Where the file is on the device. */
  path: string
  contentBase64: string
}

export interface SubmitActivityRequest {
  device: string
  os: TestAlertOs
  activity: Activity
}

/** What the engine made of a submission: an alert, or why not. */
export interface SubmitResult {
  detected: boolean
  alert: Alert | null
  reason: string
}

export interface DetectionApi {
  /**
   * What a check must know about a device (by name, DNS name or machine id). Without a name,
   * the first onboarded healthy device (of `os`, if given). NotFoundError when there is none.
   */
  target(query: {device?: string; os?: TestAlertOs}): Promise<DetectTarget>
  /**
   * A file seen on a device: judged by the EICAR standard; a match raises the EICAR alert for
   * that device. Refused (RuleError TP3) while the device's provider integration is off, and
   * for a device that is not onboarded.
   */
  submitFile(request: SubmitFileRequest): Promise<SubmitResult>
  /** Activity seen on a device, matched against the test-alert rules (DC8); same refusals. */
  submitActivity(request: SubmitActivityRequest): Promise<SubmitResult>
}
