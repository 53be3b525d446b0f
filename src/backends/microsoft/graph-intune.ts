/**
 * Microsoft Graph for the Intune side of a real tenant (issue 13, REFERENCE §4, §8.4): the
 * Defender for Endpoint connector and its platform toggles (IN1/IN2), and the Graph helpers the
 * compliance and conditional access modules share — `$batch` (at most 20 requests, a throttled
 * or failed one sent again on its own through the scheduler), and group names ↔ ids.
 *
 * The connection itself (IN1) is a switch in the Defender portal: Graph can read the connector
 * and change its platform toggles, not create it. The classic conditional access policy of IN3
 * is not in Graph either (it lives in the Intune admin center), so `classicPolicyId` is null here.
 */
import {INTUNE_CONNECTOR_ID, INTUNE_PLATFORMS, type IntunePlatform} from '../../core/integration/catalogue.js'
import type {IntuneState, IntuneToggleRequest} from '../../core/integration/types.js'
import {InvalidInputError, isAtpError, NotFoundError, RuleError} from '../../core/errors.js'
import {escapeName} from '../../core/names.js'
import type {ApiClient} from './http.js'

export const GRAPH_PERMISSIONS = {
  serviceConfigRead: 'DeviceManagementServiceConfig.Read.All',
  serviceConfigWrite: 'DeviceManagementServiceConfig.ReadWrite.All',
  configurationRead: 'DeviceManagementConfiguration.Read.All',
  configurationWrite: 'DeviceManagementConfiguration.ReadWrite.All',
  managedDevicesRead: 'DeviceManagementManagedDevices.Read.All',
  groupRead: 'Group.Read.All',
  policyRead: 'Policy.Read.All',
  conditionalAccessWrite: 'Policy.ReadWrite.ConditionalAccess',
} as const

export const DEFENDER_PORTAL = 'Microsoft Defender portal (security.microsoft.com)'
export const INTUNE_CENTER = 'Microsoft Intune admin center (intune.microsoft.com)'
export const CONNECTION_PORTAL_PATH = `Switch the connection on in the ${DEFENDER_PORTAL}: Settings > Endpoints > Advanced features > Microsoft Intune connection; then in the ${INTUNE_CENTER}: Endpoint security > Microsoft Defender for Endpoint, and wait for the connection status to show Enabled.`

export interface GraphContext {
  client(): Promise<ApiClient>
  now(): Date
}

/** An OData string literal: single quotes doubled. */
export const odataString = (value: string): string => `'${value.replace(/'/g, "''")}'`

// ---------------------------------------------------------------------------------------------
// $batch

export interface BatchRequest {
  id: string
  method: 'GET'
  /** Relative to the version, e.g. `/groups/{id}?$select=displayName`. */
  url: string
}

interface BatchResponse {
  id: string
  status: number
  body?: unknown
}

/** The most requests one Graph `$batch` takes (§8.4). */
export const GRAPH_BATCH_MAX = 20

/**
 * Sends GETs through `/v1.0/$batch`, at most 20 at a time. Answers by request id; a request the
 * batch answered with 404 maps to null; one answered otherwise than 2xx (429 included) is sent
 * again on its own, so the scheduler applies Retry-After and the error mapping is the client's.
 */
export async function graphBatch(client: ApiClient, requests: readonly BatchRequest[], permission: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>()
  for (let i = 0; i < requests.length; i += GRAPH_BATCH_MAX) {
    const chunk = requests.slice(i, i + GRAPH_BATCH_MAX)
    const answer = await client.post<{responses?: BatchResponse[]}>('/v1.0/$batch', {requests: chunk}, {permission, retry: true})
    const byId = new Map((answer?.responses ?? []).map((r) => [r.id, r]))
    for (const request of chunk) {
      const r = byId.get(request.id)
      if (r && r.status >= 200 && r.status < 300) {
        out.set(request.id, r.body)
      } else if (r && r.status === 404) {
        out.set(request.id, null)
      } else {
        try {
          out.set(request.id, await client.get(`/v1.0${request.url}`, {permission}))
        } catch (error) {
          if (isAtpError(error) && error.exitCode === 3) out.set(request.id, null)
          else throw error
        }
      }
    }
  }

  return out
}

// ---------------------------------------------------------------------------------------------
// Groups: names ↔ ids

interface WireGroup {
  id: string
  displayName: string
}

/** The id of the Entra group with this display name; NotFoundError when none, RuleError when several. */
export async function groupIdByName(client: ApiClient, name: string): Promise<string> {
  const page = await client.get<{value: WireGroup[]}>('/v1.0/groups', {query: {$filter: `displayName eq ${odataString(name)}`, $select: 'id,displayName'}, permission: GRAPH_PERMISSIONS.groupRead})
  const found = page.value ?? []
  if (found.length === 0) {
    throw new NotFoundError(`Group '${escapeName(name)}' does not exist in Microsoft Entra ID.`, {
      suggestions: ['Create it in the Microsoft Entra admin center (entra.microsoft.com): Groups > All groups > New group, or pick an existing group by its exact name.'],
    })
  }

  if (found.length > 1) {
    throw new RuleError('', `${found.length} groups are named '${escapeName(name)}' in Microsoft Entra ID; atpctl cannot tell which one is meant.`, {
      suggestions: ['Rename all but one in the Microsoft Entra admin center (entra.microsoft.com): Groups > All groups.'],
    })
  }

  return found[0].id
}

/** Display names of groups by id, in one `$batch` per 20; a group deleted since keeps its id as its name. */
export async function groupNamesById(client: ApiClient, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)]
  const answers = await graphBatch(
    client,
    unique.map((id, i) => ({id: String(i), method: 'GET' as const, url: `/groups/${encodeURIComponent(id)}?$select=id,displayName`})),
    GRAPH_PERMISSIONS.groupRead,
  )
  const names = new Map<string, string>()
  for (const [i, id] of unique.entries()) {
    const g = answers.get(String(i)) as WireGroup | null | undefined
    names.set(id, g?.displayName ?? id)
  }

  return names
}

// ---------------------------------------------------------------------------------------------
// The connector (IN1, IN2)

/** `mobileThreatPartnerTenantState` (REFERENCE §4.1). */
export type PartnerState = 'unavailable' | 'available' | 'enabled' | 'unresponsive'

interface WireConnector {
  id: string
  partnerState?: PartnerState | string
  lastHeartbeatDateTime?: string | null
  androidEnabled?: boolean
  iosEnabled?: boolean
  windowsEnabled?: boolean
}

const TOGGLE_FIELD: Record<IntunePlatform, 'androidEnabled' | 'iosEnabled' | 'windowsEnabled'> = {android: 'androidEnabled', ios: 'iosEnabled', windows: 'windowsEnabled'}
const CONNECTOR_PATH = `/v1.0/deviceManagement/mobileThreatDefenseConnectors/${INTUNE_CONNECTOR_ID}`

/** The connector as Graph has it, or null when Intune has none for Defender for Endpoint. */
async function readConnector(client: ApiClient): Promise<WireConnector | null> {
  try {
    return await client.get<WireConnector>(CONNECTOR_PATH, {permission: GRAPH_PERMISSIONS.serviceConfigRead})
  } catch (error) {
    if (isAtpError(error) && error.exitCode === 3) return null
    throw error
  }
}

function toState(connector: WireConnector | null): IntuneState & {partnerState: string} {
  const platforms = {} as IntuneState['platforms']
  for (const p of Object.keys(INTUNE_PLATFORMS) as IntunePlatform[]) {
    platforms[p] = {enabled: connector?.[TOGGLE_FIELD[p]] === true, minimumVersion: INTUNE_PLATFORMS[p].minimumVersion}
  }

  return {
    // IN1: connected when the service-to-service connection is up; `unresponsive` is connected
    // without a recent heartbeat (Intune then applies its unresponsiveness threshold).
    enabled: connector?.partnerState === 'enabled' || connector?.partnerState === 'unresponsive',
    connectorId: INTUNE_CONNECTOR_ID,
    platforms,
    // Graph keeps no change time of the toggles; the heartbeat is not one.
    changedAt: null,
    // IN3: the classic policy is not in Graph.
    classicPolicyId: null,
    partnerState: connector ? String(connector.partnerState ?? 'unavailable') : 'absent',
  }
}

/** The connection refused: what Graph shows, and where to switch it on. */
function notConnected(partnerState: string): RuleError {
  const what =
    partnerState === 'absent'
      ? 'Intune has no Microsoft Defender for Endpoint connector'
      : `the Microsoft Defender for Endpoint connector in Intune is '${partnerState}', not enabled`
  return new RuleError('IN1', `The Intune connection is not switched on: ${what}. The connection itself is switched on in the portals, not through Microsoft Graph.`, {
    suggestions: [CONNECTION_PORTAL_PATH, 'Then run this command again: atpctl integration enable intune --android --ios --windows'],
  })
}

export interface GraphIntuneConnection {
  /** The connector's state (IN1/IN2); an absent connector is a connection that is off. */
  state(): Promise<IntuneState>
  /** IN2: PATCHes the platform toggles; off turns every toggle off. Refused (IN1) while the connection is not on. */
  setIntune(enabled: boolean, toggles: IntuneToggleRequest): Promise<{state: IntuneState; changed: boolean}>
}

const publicState = ({partnerState: _p, ...state}: IntuneState & {partnerState: string}): IntuneState => state

export function graphIntuneConnection(ctx: GraphContext): GraphIntuneConnection {
  return {
    async state() {
      return publicState(toState(await readConnector(await ctx.client())))
    },

    async setIntune(enabled, toggles) {
      const client = await ctx.client()
      const connector = await readConnector(client)
      const before = toState(connector)
      if (!before.enabled) {
        // Nothing to turn off: the connection is already off; turning it on is the portal's.
        if (!enabled) return {state: publicState(before), changed: false}
        throw notConnected(before.partnerState)
      }

      const patch: Partial<Record<(typeof TOGGLE_FIELD)[IntunePlatform], boolean>> = {}
      for (const p of Object.keys(TOGGLE_FIELD) as IntunePlatform[]) {
        const wanted = enabled ? (toggles[p] ?? before.platforms[p].enabled) : false
        if (wanted !== before.platforms[p].enabled) patch[TOGGLE_FIELD[p]] = wanted
      }

      if (Object.keys(patch).length === 0) return {state: publicState(before), changed: false}
      const answered = await client.patch<WireConnector | undefined>(CONNECTOR_PATH, patch, {permission: GRAPH_PERMISSIONS.serviceConfigWrite})
      const after = toState(answered && typeof answered === 'object' && 'id' in answered ? answered : {...connector!, ...patch})
      for (const p of Object.keys(TOGGLE_FIELD) as IntunePlatform[]) {
        const field = TOGGLE_FIELD[p]
        if (field in patch && after.platforms[p].enabled !== patch[field]) {
          throw new InvalidInputError(`Microsoft Graph accepted the change of the ${INTUNE_PLATFORMS[p].label} toggle but answers it unchanged.`, {
            suggestions: [`Check the toggle in the ${INTUNE_CENTER}: Endpoint security > Microsoft Defender for Endpoint.`],
          })
        }
      }

      return {state: publicState(after), changed: true}
    },
  }
}
