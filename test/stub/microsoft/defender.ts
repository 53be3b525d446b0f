/**
 * The Defender for Endpoint API part of the stub (REFERENCE §2.2–§2.5, §8.3): machines, alerts,
 * machine actions, with `$filter` on the documented fields, `$top` ≤ 10,000, `$skip`,
 * `@odata.nextLink`, `$expand=evidence`, the case-sensitive `Comment` of offboarding, 400
 * `ActiveRequestAlreadyExists` on a second pending action, no offboarding of Linux or macOS,
 * and a role check per route with the documented error body.
 */
import {randomUUID} from 'node:crypto'
import {compileFilter, ODataError} from './odata.js'
import type {StubAlert, StubMachine, StubMachineAction} from './types.js'

export interface ApiAnswer {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface DefenderRequest {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  roles: string[]
  appId: string
}

export interface DefenderContext {
  baseUrl: string
  tenantId: string
  state: {machines: StubMachine[]; alerts: StubAlert[]; machineActions: StubMachineAction[]}
  /** Called with every action the API creates; the stub moves it along. */
  onAction(action: StubMachineAction): void
}

export function apiError(status: number, code: string, message: string): ApiAnswer {
  return {status, body: {error: {code, message, target: randomUUID()}}}
}

const MACHINE_FILTERS = ['computerDnsName', 'id', 'version', 'deviceValue', 'aadDeviceId', 'machineTags', 'lastSeen', 'exposureLevel', 'onboardingStatus', 'lastIpAddress', 'healthStatus', 'osPlatform', 'riskScore', 'rbacGroupId']
const ALERT_FILTERS = ['alertCreationTime', 'lastUpdateTime', 'incidentId', 'InvestigationId', 'id', 'assignedTo', 'detectionSource', 'lastEventTime', 'status', 'severity', 'category']
const ACTION_FILTERS = ['Status', 'MachineId', 'Type', 'Requestor', 'CreationDateTimeUtc', 'id']

const MACHINE_READ = ['Machine.Read.All', 'Machine.ReadWrite.All']
const ALERT_READ = ['Alert.Read.All', 'Alert.ReadWrite.All']
const ALERT_WRITE = ['Alert.ReadWrite.All']
const OFFBOARD = ['Machine.Offboard']

const ALERT_STATUS = ['Unknown', 'New', 'InProgress', 'Resolved']
const CLASSIFICATION = ['Unknown', 'FalsePositive', 'TruePositive', 'InformationalExpectedActivity']
const DETERMINATION = [
  'NotAvailable', 'Apt', 'Malware', 'SecurityPersonnel', 'SecurityTesting', 'UnwantedSoftware', 'Other', 'MultiStagedAttack', 'MaliciousUserActivity',
  'CompromisedUser', 'Phishing', 'LineOfBusinessApplication', 'ConfirmedUserActivity', 'NotMalicious', 'Clean', 'InsufficientData',
]
const MAX_TOP = 10_000

interface Route {
  method: string
  pattern: RegExp
  roles: string[]
  handle(request: DefenderRequest, params: string[]): ApiAnswer
}

export function createDefender(context: DefenderContext) {
  const {state} = context
  const metadata = `${context.baseUrl}/api/$metadata`

  function findMachine(idOrName: string): StubMachine | undefined {
    const key = idOrName.toLowerCase()
    return state.machines.find((m) => m.id === key || m.computerDnsName.toLowerCase() === key)
  }

  /** A list answer: filter, order, `$skip`/`$top` and the next link. */
  function list<T extends object>(request: DefenderRequest, path: string, items: T[], filterable: string[], entitySet: string, map: (item: T) => unknown = (x) => x): ApiAnswer {
    const {query} = request
    let matching = items
    try {
      if (query.$filter !== undefined) {
        const predicate = compileFilter(query.$filter, filterable)
        matching = items.filter(predicate)
      }
    } catch (error) {
      if (error instanceof ODataError) return apiError(400, 'ODataError', error.message)
      throw error
    }

    if (query.$orderby !== undefined) {
      const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(query.$orderby)
      if (!m) return apiError(400, 'ODataError', `The $orderby '${query.$orderby}' is not valid: order by one property, asc or desc.`)
      const field = m[1].charAt(0).toLowerCase() + m[1].slice(1)
      const direction = m[2]?.toLowerCase() === 'desc' ? -1 : 1
      matching = [...matching].sort((a, b) => {
        const x = (a as Record<string, unknown>)[field] as string | number
        const y = (b as Record<string, unknown>)[field] as string | number
        return x === y ? 0 : x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : x < y ? -direction : direction
      })
    }

    const top = query.$top === undefined ? MAX_TOP : Number(query.$top)
    if (!Number.isInteger(top) || top < 0) return apiError(400, 'ODataError', `Invalid value '${query.$top}' for $top query option found. The $top query option requires a non-negative integer value.`)
    if (top > MAX_TOP) return apiError(400, 'ODataError', `The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${top}'.`)
    const skip = query.$skip === undefined ? 0 : Number(query.$skip)
    if (!Number.isInteger(skip) || skip < 0) return apiError(400, 'ODataError', `Invalid value '${query.$skip}' for $skip query option found. The $skip query option requires a non-negative integer value.`)
    const page = matching.slice(skip, skip + top)
    const body: Record<string, unknown> = {'@odata.context': `${metadata}#${entitySet}`, value: page.map(map)}
    if (skip + top < matching.length && top > 0) {
      const next = new URLSearchParams({...query, $top: String(top), $skip: String(skip + top)})
      body['@odata.nextLink'] = `${context.baseUrl}${path}?${next.toString().replace(/\+/g, '%20')}`
    }

    return {status: 200, body}
  }

  const withEvidence = (request: DefenderRequest) => {
    const expand = (request.query.$expand ?? '').split(',').map((s) => s.trim().toLowerCase())
    return expand.includes('evidence') ? (a: StubAlert) => a : (a: StubAlert) => ({...a, evidence: []})
  }

  function pendingAction(machineId: string, type: string): StubMachineAction | undefined {
    return state.machineActions.find((a) => a.machineId === machineId && a.type === type && (a.status === 'Pending' || a.status === 'InProgress'))
  }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/api\/machines$/,
      roles: MACHINE_READ,
      handle(request) {
        // Documented: the list answers 404 when the tenant has no recent machines.
        if (state.machines.length === 0) return apiError(404, 'ResourceNotFound', 'No machines found.')
        return list(request, '/api/machines', state.machines, MACHINE_FILTERS, 'Machines')
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/machines\/([^/]+)$/,
      roles: MACHINE_READ,
      handle(_request, [id]) {
        const machine = findMachine(id)
        if (!machine) return apiError(404, 'ResourceNotFound', `Machine ${id} was not found.`)
        return {status: 200, body: {'@odata.context': `${metadata}#Machines/$entity`, ...machine}}
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/machines\/([^/]+)\/alerts$/,
      roles: ALERT_READ,
      handle(request, [id]) {
        const machine = findMachine(id)
        if (!machine) return apiError(404, 'ResourceNotFound', `Machine ${id} was not found.`)
        return list(request, `/api/machines/${id}/alerts`, state.alerts.filter((a) => a.machineId === machine.id), ALERT_FILTERS, 'Alerts', withEvidence(request))
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/machines\/([^/]+)\/offboard$/,
      roles: OFFBOARD,
      handle(request, [id]) {
        const body = request.body as Record<string, unknown> | undefined
        // Parameter names are case-sensitive: `comment` is not `Comment` (§8.3).
        if (!body || typeof body !== 'object' || typeof body.Comment !== 'string' || body.Comment.trim() === '') {
          return apiError(400, 'MissingRequiredParameter', "The required parameter 'Comment' is missing or empty.")
        }

        const machine = findMachine(id)
        if (!machine) return apiError(404, 'ResourceNotFound', `Machine ${id} was not found.`)
        if (/^(linux|macos|mac os|ios|android)/i.test(machine.osPlatform)) {
          return apiError(400, 'OsPlatformNotSupported', `Offboarding is not supported for machines running ${machine.osPlatform}.`)
        }

        if (pendingAction(machine.id, 'Offboard')) return apiError(400, 'ActiveRequestAlreadyExists', 'Action is already in progress.')
        const now = new Date().toISOString()
        const action: StubMachineAction = {
          id: randomUUID(),
          type: 'Offboard',
          title: `Offboard machine ${machine.computerDnsName}`,
          requestor: request.appId,
          requestorComment: body.Comment,
          status: 'Pending',
          machineId: machine.id,
          computerDnsName: machine.computerDnsName,
          creationDateTimeUtc: now,
          lastUpdateDateTimeUtc: now,
          cancellationRequestor: null,
          cancellationComment: null,
          cancellationDateTimeUtc: null,
          errorHResult: 0,
          scope: null,
          externalId: null,
          requestSource: 'PublicApi',
          relatedFileInfo: null,
          commands: [],
          troubleshootInfo: null,
        }
        state.machineActions.push(action)
        context.onAction(action)
        return {status: 201, body: {'@odata.context': `${metadata}#MachineActions/$entity`, ...action}}
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/alerts$/,
      roles: ALERT_READ,
      handle(request) {
        return list(request, '/api/alerts', state.alerts, ALERT_FILTERS, 'Alerts', withEvidence(request))
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/alerts\/([^/]+)$/,
      roles: ALERT_READ,
      handle(request, [id]) {
        const alert = state.alerts.find((a) => a.id === id)
        if (!alert) return apiError(404, 'ResourceNotFound', `Alert ${id} was not found.`)
        return {status: 200, body: {'@odata.context': `${metadata}#Alerts/$entity`, ...(withEvidence(request)(alert) as object)}}
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/api\/alerts\/([^/]+)$/,
      roles: ALERT_WRITE,
      handle(request, [id]) {
        const alert = state.alerts.find((a) => a.id === id)
        if (!alert) return apiError(404, 'ResourceNotFound', `Alert ${id} was not found.`)
        const body = request.body as Record<string, unknown> | undefined
        if (!body || typeof body !== 'object' || Array.isArray(body)) return apiError(400, 'InvalidRequestBody', 'The request body must be a JSON object.')
        const allowed = ['status', 'assignedTo', 'classification', 'determination', 'comment']
        const unknown = Object.keys(body).filter((k) => !allowed.includes(k))
        if (unknown.length > 0) return apiError(400, 'InvalidRequestBody', `Unknown properties: ${unknown.join(', ')}. Updatable properties: ${allowed.join(', ')}.`)
        const check = (field: string, values: string[]) =>
          body[field] !== undefined && (typeof body[field] !== 'string' || !values.includes(body[field] as string))
            ? apiError(400, 'InvalidRequestBody', `'${String(body[field])}' is not a valid ${field}. Valid values: ${values.join(', ')}.`)
            : null
        const refused = check('status', ALERT_STATUS) ?? check('classification', CLASSIFICATION) ?? check('determination', DETERMINATION)
        if (refused) return refused
        const now = new Date().toISOString()
        if (typeof body.status === 'string') {
          if (body.status === 'Resolved' && alert.status !== 'Resolved') alert.resolvedTime = now
          if (body.status !== 'Resolved') alert.resolvedTime = null
          alert.status = body.status as StubAlert['status']
        }

        if (typeof body.assignedTo === 'string') alert.assignedTo = body.assignedTo
        if (typeof body.classification === 'string') alert.classification = body.classification
        if (typeof body.determination === 'string') alert.determination = body.determination
        if (typeof body.comment === 'string' && body.comment !== '') alert.comments.push({comment: body.comment, createdBy: request.appId, createdTime: now})
        alert.lastUpdateTime = now
        return {status: 200, body: {'@odata.context': `${metadata}#Alerts/$entity`, ...alert}}
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/machineactions$/,
      roles: MACHINE_READ,
      handle(request) {
        return list(request, '/api/machineactions', state.machineActions, ACTION_FILTERS, 'MachineActions')
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/machineactions\/([^/]+)$/,
      roles: MACHINE_READ,
      handle(_request, [id]) {
        const action = state.machineActions.find((a) => a.id === id)
        if (!action) return apiError(404, 'ResourceNotFound', `Machine action ${id} was not found.`)
        return {status: 200, body: {'@odata.context': `${metadata}#MachineActions/$entity`, ...action}}
      },
    },
  ]

  /** Answers one request; the path is below the API's base URL (`/api/…`, `/api/v1.0/…`). */
  function handle(request: DefenderRequest): ApiAnswer {
    const path = request.path.replace(/^\/api\/v1\.0(?=\/|$)/, '/api')
    const matching = routes.filter((r) => r.pattern.test(path))
    if (matching.length === 0) return apiError(404, 'ResourceNotFound', `No HTTP resource was found that matches the request URI '${context.baseUrl}${request.path}'.`)
    const route = matching.find((r) => r.method === request.method)
    if (!route) return {...apiError(405, 'MethodNotAllowed', `The requested resource does not support http method '${request.method}'.`), headers: {allow: matching.map((r) => r.method).join(', ')}}
    if (!route.roles.some((role) => request.roles.includes(role))) {
      return apiError(403, 'Forbidden', `The application does not have any of the required application roles (${route.roles.join(', ')}) to access the resource.`)
    }

    const params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent)
    return route.handle({...request, path}, params)
  }

  return {handle}
}
