import {deviceRisk, newAlertId, type RiskLevel, RISK_LEVELS, severityRank} from '../../core/alert/rules.js'
import type {Alert, AlertComment, NewAlert} from '../../core/alert/types.js'
import {checkResolution} from '../../core/alert/wire.js'
import {NotFoundError} from '../../core/errors.js'
import type {AlertsApi} from '../../core/port/detection-api.js'
import {afterCondition, keysetPage, positionParams} from './keyset.js'
import type {LocalStore, StoreSql} from './store.js'
import {requireTenantRow} from './tenant.js'

interface AlertRow {
  id: string
  incident_id: number
  title: string
  description: string
  severity: Alert['severity']
  status: Alert['status']
  category: string
  detection_source: string
  threat_family_name: string | null
  threat_name: string | null
  mitre_techniques: string
  machine_id: string
  computer_dns_name: string
  device_name: string
  created_at: string
  first_event_time: string
  last_event_time: string
  last_update_time: string
  resolved_time: string | null
  classification: string | null
  determination: string | null
  comments: string
  evidence: string
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  incidentId: r.incident_id,
  title: r.title,
  description: r.description,
  severity: r.severity,
  status: r.status,
  category: r.category,
  detectionSource: r.detection_source,
  threatFamilyName: r.threat_family_name,
  threatName: r.threat_name,
  mitreTechniques: JSON.parse(r.mitre_techniques),
  machineId: r.machine_id,
  computerDnsName: r.computer_dns_name,
  alertCreationTime: r.created_at,
  firstEventTime: r.first_event_time,
  lastEventTime: r.last_event_time,
  lastUpdateTime: r.last_update_time,
  resolvedTime: r.resolved_time,
  classification: r.classification,
  determination: r.determination,
  comments: JSON.parse(r.comments),
  evidence: JSON.parse(r.evidence),
})

/** The device an alert is raised on. */
export interface AlertDevice {
  /** The inventory row id, when the device is in the inventory. */
  deviceId: number | null
  name: string
  machineId: string
  computerDnsName: string
}

/** The next incident id: one probe of the alert_incident index, whatever the number of alerts (issue 15). */
export const NEXT_INCIDENT_SQL = 'SELECT COALESCE(MAX(incident_id), 0) + 1 AS n FROM alert'

/** The evidence file names column, delimited so that `find` can match one whole file name. */
export function evidenceFileNames(evidence: NewAlert['evidence']): string {
  return evidence.map((e) => `/${e.fileName ?? ''}/`).join('')
}

/**
 * Inserts an alert; call inside `store.mutate`. The local engine gives every alert its own
 * incident (incident ids count up from 1).
 */
export async function insertAlert(store: LocalStore, device: AlertDevice, alert: NewAlert): Promise<Alert> {
  const now = store.now()
  const at = now.toISOString()
  const next = (await store.get<{n: number}>(NEXT_INCIDENT_SQL))!
  const id = newAlertId(now)
  store.run(
      `INSERT INTO alert (id, incident_id, title, description, severity, severity_rank, status, category, detection_source,
         threat_family_name, threat_name, mitre_techniques, machine_id, computer_dns_name, device_name, device_id, created_at,
         first_event_time, last_event_time, last_update_time, determination, evidence, evidence_file_names)
       VALUES (@id, @incident, @title, @description, @severity, @rank, 'New', @category, @source, @family, @threat, @mitre,
         @machine, @dns, @device, @deviceId, @at, @at, @at, @at, @determination, @evidence, @fileNames)`,
    {
      id,
      incident: next.n,
      title: alert.title,
      description: alert.description,
      severity: alert.severity,
      rank: severityRank(alert.severity),
      category: alert.category,
      source: alert.detectionSource,
      family: alert.threatFamilyName,
      threat: alert.threatName,
      mitre: JSON.stringify(alert.mitreTechniques),
      machine: device.machineId,
      dns: device.computerDnsName,
      device: device.name,
      deviceId: device.deviceId,
      at,
      determination: alert.determination,
      evidence: JSON.stringify(alert.evidence),
      fileNames: evidenceFileNames(alert.evidence),
    })
  return getAlert(store, id)
}

export async function getAlert(store: StoreSql, id: string): Promise<Alert> {
  const row = await store.get<AlertRow>('SELECT * FROM alert WHERE id = ?', id)
  if (!row) {
    throw new NotFoundError(`Alert '${id}' not found.`, {suggestions: ['List alerts: atpctl alert list']})
  }

  return toAlert(row)
}

export function localAlertsApi(store: LocalStore): AlertsApi {
  const db: StoreSql = store
  return {
    async list(filter = {}) {
      await requireTenantRow(store)
      const where: string[] = []
      const params: Record<string, unknown> = {}
      if (filter.device) {
        const caseless = store.dialect.caseless('@device')
        where.push(`(device_name = ${caseless} OR computer_dns_name = ${caseless} OR machine_id = @device)`)
        params.device = filter.device
      }

      if (filter.severity) {
        where.push('severity = @severity')
        params.severity = filter.severity
      }

      if (filter.status) {
        where.push('status = @status')
        params.status = filter.status
      }

      if (filter.since) {
        where.push('created_at >= @since')
        params.since = filter.since
      }

      // Newest first on the alert_created index (the store's insertion-order key is in
      // it): a page after a cursor starts below its (created_at, key), so page N reads what page 1 reads.
      const order = store.dialect.insertionOrder
      return keysetPage({
        list: 'alerts',
        shape: ['string', 'number'],
        request: filter,
        rows: (after, limit) =>
          db.all<AlertRow & {row_id: number}>(`SELECT *, ${order} AS row_id FROM alert WHERE ${[afterCondition(['created_at', order], after, true), ...where].join(' AND ')}
               ORDER BY created_at DESC, ${order} DESC LIMIT @limit`, {...params, ...positionParams(after), limit}),
        positionOf: (r) => [r.created_at, r.row_id],
        toItem: toAlert,
      })
    },

    async get(id) {
      await requireTenantRow(store)
      return getAlert(store, id)
    },

    async resolve(id, options) {
      await requireTenantRow(store)
      const {comment, classification, determination} = checkResolution(options)
      return store.mutate('alert.resolve', `alert:${id}`, async (tx) => {
        const alert = await getAlert(tx, id)
        const at = store.now().toISOString()
        const comments: AlertComment[] = [...alert.comments]
        if (comment) comments.push({comment, createdBy: store.context.actor, createdTime: at})
        const reclassified = (classification !== undefined && classification !== alert.classification) || (determination !== undefined && determination !== alert.determination)
        if (alert.status === 'Resolved' && !comment && !reclassified) return alert
        tx.run(
          `UPDATE alert SET status = 'Resolved', resolved_time = COALESCE(resolved_time, @at), last_update_time = @at, comments = @comments,
             classification = COALESCE(@classification, classification), determination = COALESCE(@determination, determination) WHERE id = @id`,
          {id, at, comments: JSON.stringify(comments), classification: classification ?? null, determination: determination ?? null},
        )
        return getAlert(tx, id)
      })
    },

    async find(query) {
      // One indexed lookup (machine_id, created_at): cheap enough to poll.
      const row = await db.get<AlertRow>(
          `SELECT * FROM alert WHERE machine_id = @machine AND created_at >= @since AND title = @title
             AND (@file IS NULL OR ${store.dialect.contains('evidence_file_names', "'/' || @file || '/'")})
           ORDER BY created_at DESC LIMIT 1`,
        {machine: query.machineId, since: query.since, title: query.title, file: query.evidenceFileName ?? null},
      )
      return row ? toAlert(row) : null
    },

    async risks(machineIds) {
      await requireTenantRow(store)
      const rows = await db.all<{machine_id: string; rank: number}>(`SELECT machine_id, MAX(severity_rank) AS rank FROM alert WHERE status <> 'Resolved' GROUP BY machine_id`)
      const byMachine = new Map(rows.map((r) => [r.machine_id, RISK_LEVELS[Math.max(1, r.rank)]]))
      const ids = machineIds ?? [...byMachine.keys()]
      const result: Record<string, RiskLevel> = {}
      for (const id of ids) result[id] = byMachine.get(id) ?? deviceRisk([])
      return result
    },
  }
}
