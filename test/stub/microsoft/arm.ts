/**
 * The Azure Resource Manager part of the stub (REFERENCE §3, §8.5): the subscriptions a
 * credential sees, `Microsoft.Security/settings` (WDATP and its legacy companions),
 * `pricings/VirtualMachines` (Defender for Servers) and `mdeOnboardings`. Like ARM it insists
 * on `api-version` (400 `MissingApiVersionParameter`; an unknown one is 400
 * `InvalidApiVersionParameter` naming the supported ones), answers `{error: {code, message}}`,
 * pages with `nextLink`, and authorizes by role assignment on the subscription, not by token
 * roles: reads need any role there, settings writes need Security Admin or Owner (DC6), else 403
 * `AuthorizationFailed`. A subscription without any role of the app is invisible (not listed;
 * 403 on direct access, as ARM answers). Imports nothing from atpctl.
 */
import type {ApiAnswer} from './defender.js'

/** An Azure role of the app's service principal on a subscription (the stub's model of IAM). */
export type StubArmRole = 'Owner' | 'Security Admin' | 'Contributor' | 'Reader'

export interface StubSubscription {
  subscriptionId: string
  displayName: string
  state: 'Enabled' | 'Disabled' | 'Warned'
  /** The app's role there; null: no assignment (invisible). */
  role: StubArmRole | null
  /** `Microsoft.Security/settings` by name; absent settings are not returned. */
  settings: Record<string, boolean>
  /** `pricings/VirtualMachines` pricingTier. */
  serversPlan: 'Standard' | 'Free'
}

export interface StubArmState {
  subscriptions: StubSubscription[]
  /** What `mdeOnboardings/default` holds: the onboarding script files, as bytes. */
  onboarding: {windows?: Buffer; linux?: Buffer}
  /** Page size of the subscription list (nextLink after that many). */
  pageSize: number
}

export interface StubArmOptions {
  subscriptions?: StubSubscription[]
  onboarding?: {windows?: Buffer; linux?: Buffer}
  pageSize?: number
}

export const STUB_SUBSCRIPTION_ID = '00000000-0000-4000-8000-00000000d001'

/** A subscription as a new customer has it: nothing enabled, Defender for Servers on, Security Admin granted. */
export function makeSubscription(partial: Partial<StubSubscription> = {}): StubSubscription {
  return {
    subscriptionId: STUB_SUBSCRIPTION_ID,
    displayName: 'Contoso Production',
    state: 'Enabled',
    role: 'Security Admin',
    settings: {MCAS: false, WDATP: false, WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: false, Sentinel: false},
    serversPlan: 'Standard',
    ...partial,
  }
}

const API_VERSIONS: Record<string, string[]> = {
  subscriptions: ['2020-01-01', '2021-01-01', '2022-12-01'],
  settings: ['2019-01-01', '2021-06-01', '2021-07-01', '2022-05-01'],
  pricings: ['2018-06-01', '2022-03-01', '2023-01-01', '2024-01-01'],
  mdeOnboardings: ['2021-10-01-preview'],
}

const SETTING_NAMES = ['MCAS', 'WDATP', 'WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW', 'WDATP_UNIFIED_SOLUTION', 'Sentinel']
const WRITERS: readonly StubArmRole[] = ['Owner', 'Security Admin']

function armError(status: number, code: string, message: string): ApiAnswer {
  return {status, body: {error: {code, message}}}
}

export interface ArmRequest {
  method: string
  path: string
  query: Record<string, string>
  body: unknown
  appId: string
  /** The stub's base URL of ARM, for nextLink. */
  baseUrl: string
}

export function createArm(options: StubArmOptions = {}) {
  const state: StubArmState = {
    subscriptions: options.subscriptions ?? [makeSubscription()],
    onboarding: options.onboarding ?? {},
    pageSize: options.pageSize ?? 100,
  }

  const settingResource = (sub: string, name: string, enabled: boolean) => ({
    id: `/subscriptions/${sub}/providers/Microsoft.Security/settings/${name}`,
    name,
    type: 'Microsoft.Security/settings',
    kind: name === 'Sentinel' ? 'AlertSyncSettings' : 'DataExportSettings',
    properties: {enabled},
  })

  const denied = (appId: string, action: string, scope: string) =>
    armError(
      403,
      'AuthorizationFailed',
      `The client '${appId}' with object id '${appId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    )

  function checkVersion(kind: string, query: Record<string, string>): ApiAnswer | null {
    const version = query['api-version']
    if (version === undefined || version === '') return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.")
    if (!API_VERSIONS[kind].includes(version)) {
      return armError(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${version}' is invalid. The supported versions are '${API_VERSIONS[kind].join(',')}'.`,
      )
    }

    return null
  }

  function handle(request: ArmRequest): ApiAnswer {
    const {method, path, query, appId} = request
    if (path === '/subscriptions' && method === 'GET') {
      const bad = checkVersion('subscriptions', query)
      if (bad) return bad
      const visible = state.subscriptions.filter((s) => s.role !== null)
      const skip = Number(query.$skiptoken ?? '0')
      const page = visible.slice(skip, skip + state.pageSize)
      const next = skip + state.pageSize < visible.length ? `${request.baseUrl}/subscriptions?api-version=${query['api-version']}&$skiptoken=${skip + state.pageSize}` : undefined
      return {
        status: 200,
        body: {
          value: page.map((s) => ({id: `/subscriptions/${s.subscriptionId}`, subscriptionId: s.subscriptionId, tenantId: 'stub', displayName: s.displayName, state: s.state})),
          ...(next ? {nextLink: next} : {}),
        },
      }
    }

    const m = /^\/subscriptions\/([^/]+)(\/providers\/Microsoft\.Security\/(settings|pricings|mdeOnboardings)(?:\/([^/]+))?)?$/i.exec(path)
    if (!m) return armError(404, 'InvalidResourceType', `The resource type could not be found for '${path}'.`)
    const [, subId, provider, kind, name] = m
    const sub = state.subscriptions.find((s) => s.subscriptionId.toLowerCase() === subId.toLowerCase())
    const scope = `/subscriptions/${subId}${provider ?? ''}`
    if (!provider) {
      if (method !== 'GET') return armError(405, 'MethodNotAllowed', 'The requested method is not allowed.')
      const bad = checkVersion('subscriptions', query)
      if (bad) return bad
      if (!sub) return armError(404, 'SubscriptionNotFound', `The subscription '${subId}' could not be found.`)
      if (sub.role === null) return denied(appId, 'Microsoft.Resources/subscriptions/read', scope)
      return {status: 200, body: {id: `/subscriptions/${sub.subscriptionId}`, subscriptionId: sub.subscriptionId, displayName: sub.displayName, state: sub.state}}
    }

    const bad = checkVersion(kind, query)
    if (bad) return bad
    if (!sub) return armError(404, 'SubscriptionNotFound', `The subscription '${subId}' could not be found.`)
    if (sub.role === null) return denied(appId, `Microsoft.Security/${kind}/read`, scope)

    if (kind === 'settings') {
      if (name === undefined) {
        if (method !== 'GET') return armError(405, 'MethodNotAllowed', 'The requested method is not allowed.')
        return {status: 200, body: {value: Object.entries(sub.settings).map(([n, e]) => settingResource(sub.subscriptionId, n, e))}}
      }

      if (!SETTING_NAMES.includes(name)) return armError(400, 'InvalidSettingName', `'${name}' is not a valid setting name. Valid: ${SETTING_NAMES.join(', ')}.`)
      if (method === 'GET') {
        if (!(name in sub.settings)) return armError(404, 'NotFound', `The setting '${name}' was not found.`)
        return {status: 200, body: settingResource(sub.subscriptionId, name, sub.settings[name])}
      }

      if (method === 'PUT') {
        if (!WRITERS.includes(sub.role)) return denied(appId, 'Microsoft.Security/settings/write', scope)
        const body = request.body as {kind?: unknown; properties?: {enabled?: unknown}} | undefined
        const expectedKind = name === 'Sentinel' ? 'AlertSyncSettings' : 'DataExportSettings'
        if (!body || body.kind !== expectedKind) return armError(400, 'InvalidRequestContent', `The request content is invalid: 'kind' must be '${expectedKind}' for the setting '${name}'.`)
        if (typeof body.properties?.enabled !== 'boolean') return armError(400, 'InvalidRequestContent', "The request content is invalid: 'properties.enabled' is required and must be a boolean.")
        if (name === 'WDATP' && body.properties.enabled && sub.serversPlan !== 'Standard') {
          return armError(400, 'DefenderForServersNotEnabled', 'Microsoft Defender for Endpoint integration requires Microsoft Defender for Servers on the subscription.')
        }

        sub.settings[name] = body.properties.enabled
        return {status: 200, body: settingResource(sub.subscriptionId, name, sub.settings[name])}
      }

      return armError(405, 'MethodNotAllowed', 'The requested method is not allowed.')
    }

    if (kind === 'pricings') {
      if (method !== 'GET') return armError(405, 'MethodNotAllowed', 'The stub serves pricings read-only.')
      if (name !== 'VirtualMachines') return armError(404, 'NotFound', `The pricing '${name ?? ''}' is not served by the stub.`)
      return {
        status: 200,
        body: {
          id: `/subscriptions/${sub.subscriptionId}/providers/Microsoft.Security/pricings/VirtualMachines`,
          name: 'VirtualMachines',
          type: 'Microsoft.Security/pricings',
          properties: {pricingTier: sub.serversPlan, ...(sub.serversPlan === 'Standard' ? {subPlan: 'P2'} : {freeTrialRemainingTime: 'PT0S'})},
        },
      }
    }

    // mdeOnboardings (ARM-MDE): the onboarding script files, base64 (format: byte).
    if (method !== 'GET') return armError(405, 'MethodNotAllowed', 'mdeOnboardings is read-only.')
    const data = {
      id: `/subscriptions/${sub.subscriptionId}/providers/Microsoft.Security/mdeOnboardings/default`,
      name: 'default',
      type: 'Microsoft.Security/mdeOnboardings',
      properties: {
        ...(state.onboarding.windows ? {onboardingPackageWindows: state.onboarding.windows.toString('base64')} : {}),
        ...(state.onboarding.linux ? {onboardingPackageLinux: state.onboarding.linux.toString('base64')} : {}),
      },
    }
    if (name === undefined) return {status: 200, body: {value: [data]}}
    if (name !== 'default') return armError(404, 'NotFound', `The mdeOnboardings resource '${name}' was not found.`)
    return {status: 200, body: data}
  }

  return {state, handle}
}

export type StubArm = ReturnType<typeof createArm>
