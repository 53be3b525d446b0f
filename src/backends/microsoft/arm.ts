/**
 * Defender for Cloud on a real tenant through Azure Resource Manager (issue 13; REFERENCE §3.1,
 * §8.5): the subscriptions the credential sees, and per subscription the
 * `Microsoft.Security/settings` that make up the Defender for Endpoint integration:
 *
 * - `WDATP` — the integration itself (Windows; on subscriptions enabled since 2021 also Linux);
 * - `WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW` — inverted: `enabled: true` EXCLUDES Linux (the legacy
 *   subscriptions' one-time "enable for Linux" step turns it off);
 * - `WDATP_UNIFIED_SOLUTION` — legacy subscriptions only: switched on with the integration.
 *
 * The rules are core's: DC1/DC2 (`nextDefenderForCloudState`), DC3 (`assertCanDisable` and the
 * windows-only refusal), DC5 (`assertCloudSupported`), DC6 (`rolesFor('integrations.write')`
 * names who may write). Defender for Servers (`pricings/VirtualMachines`) must be Standard
 * before a write. ARM decides access by role assignment: its 403 `AuthorizationFailed` becomes
 * exit 5 naming the roles.
 */
import type {Cloud} from '../../core/integration/catalogue.js'
import {assertCanDisable, assertCloudSupported, nextDefenderForCloudState} from '../../core/integration/rules.js'
import type {DefenderForCloudDisableRequest, DefenderForCloudEnableRequest, DefenderForCloudSubscription} from '../../core/integration/types.js'
import {AuthError, isAtpError, NotFoundError, RuleError} from '../../core/errors.js'
import {escapeName, NAME_RULES, requireName} from '../../core/names.js'
import {type Role, rolesFor} from '../../core/rbac/roles.js'
import type {MicrosoftCloud} from './cloud.js'
import type {ApiClient} from './http.js'

/** api-versions ARM insists on (§8.5). */
export const ARM_VERSIONS = {subscriptions: '2022-12-01', settings: '2022-05-01', pricings: '2024-01-01', mdeOnboardings: '2021-10-01-preview'} as const

/** The Azure built-in role of each atpctl role of DC6. */
const AZURE_ROLE: Partial<Record<Role, string>> = {owner: 'Owner', 'security-admin': 'Security Admin'}

export interface ArmContext {
  client(): Promise<ApiClient>
  /** The profile's Microsoft cloud: commercial and GCC are Azure commercial, GCC High and DoD Azure Government. */
  cloud: MicrosoftCloud
}

interface ArmSubscription {
  subscriptionId: string
  displayName?: string
  state?: string
}

interface ArmSetting {
  name: string
  kind?: string
  properties?: {enabled?: boolean}
}

/** The integration's settings of one subscription, as read. */
interface SettingsState {
  wdatp: boolean
  /** WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: true excludes Linux; undefined when the subscription has no such setting. */
  excludeLinux: boolean | undefined
  /** WDATP_UNIFIED_SOLUTION: undefined when absent (a subscription that never was legacy). */
  unified: boolean | undefined
}

/** The subscription's cloud as DC5 names it. */
export function armCloud(cloud: MicrosoftCloud): Cloud {
  return cloud === 'gcc-high' || cloud === 'dod' ? 'government' : 'commercial'
}

/** DC1/DC2 state of the settings: Windows with WDATP; Linux with it unless excluded. */
export function subscriptionState(subscriptionId: string, cloud: Cloud, s: SettingsState): DefenderForCloudSubscription {
  return {subscriptionId, cloud, windows: s.wdatp, linux: s.wdatp && s.excludeLinux !== true, changedAt: null}
}

const base = (subscriptionId: string) => `/subscriptions/${encodeURIComponent(subscriptionId)}`
const settingPath = (subscriptionId: string, name: string) => `${base(subscriptionId)}/providers/Microsoft.Security/settings/${name}`

/** DC6: the 403 of a write, as exit 5 naming the roles that may do it and where to grant them. */
function writeRefused(error: unknown, subscriptionId: string): unknown {
  if (!isAtpError(error) || !(error instanceof AuthError) || (error.details as {microsoftCode?: unknown} | undefined)?.microsoftCode !== 'AuthorizationFailed') return error
  const roles = rolesFor('integrations.write')
    .map((r) => AZURE_ROLE[r])
    .filter(Boolean)
  return new AuthError(`Changing the Defender for Endpoint integration of subscription ${subscriptionId} needs the ${roles.join(' or ')} role on it; the app has neither.`, {
    code: 'FORBIDDEN',
    suggestions: [
      `In the Azure portal: Subscriptions > ${subscriptionId} > Access control (IAM) > Add role assignment > ${roles.join(' (or ')}${roles.length > 1 ? ')' : ''}, for the app's service principal.`,
      'Role assignments reach the token within minutes; then retry.',
    ],
    details: {...(error.details ?? {}), roles},
  })
}

/** A subscription the credential cannot see reads as not found, with where to look. */
function notVisible(error: unknown, subscriptionId: string): unknown {
  const code = isAtpError(error) ? (error.details as {microsoftCode?: unknown} | undefined)?.microsoftCode : undefined
  if (error instanceof NotFoundError || code === 'SubscriptionNotFound' || (error instanceof AuthError && code === 'AuthorizationFailed')) {
    return new NotFoundError(`Subscription '${escapeName(subscriptionId)}' is not one the app can see.`, {
      suggestions: ['Run `atpctl integration show defender-for-cloud` to list the subscriptions the app sees; give the app a role on the subscription (Reader to see it, Security Admin to change it).'],
      details: {subscriptionId},
    })
  }

  return error
}

export function defenderForCloud(ctx: ArmContext) {
  const cloud = armCloud(ctx.cloud)

  async function subscriptions(client: ApiClient): Promise<ArmSubscription[]> {
    const all: ArmSubscription[] = []
    let next: string | undefined = '/subscriptions'
    let query: Record<string, string> | undefined = {'api-version': ARM_VERSIONS.subscriptions}
    while (next !== undefined) {
      const page: {value?: ArmSubscription[]; nextLink?: string} = await client.get(next, {query})
      all.push(...(page.value ?? []))
      // ARM's nextLink carries the whole query itself.
      next = typeof page.nextLink === 'string' ? page.nextLink : undefined
      query = undefined
    }

    return all
  }

  async function readSettings(client: ApiClient, subscriptionId: string): Promise<SettingsState> {
    const page: {value?: ArmSetting[]} = await client.get(`${base(subscriptionId)}/providers/Microsoft.Security/settings`, {query: {'api-version': ARM_VERSIONS.settings}})
    const of = (name: string) => page.value?.find((s) => s.name === name)?.properties?.enabled
    return {wdatp: of('WDATP') === true, excludeLinux: of('WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW'), unified: of('WDATP_UNIFIED_SOLUTION')}
  }

  async function current(client: ApiClient, subscriptionId: string): Promise<SettingsState> {
    try {
      await client.get(base(subscriptionId), {query: {'api-version': ARM_VERSIONS.subscriptions}})
      return await readSettings(client, subscriptionId)
    } catch (error) {
      throw notVisible(error, subscriptionId)
    }
  }

  /** The integration needs Defender for Servers (§8.5): refused before any write when it is not Standard. */
  async function requireServersPlan(client: ApiClient, subscriptionId: string): Promise<void> {
    const pricing: {properties?: {pricingTier?: string}} = await client.get(`${base(subscriptionId)}/providers/Microsoft.Security/pricings/VirtualMachines`, {
      query: {'api-version': ARM_VERSIONS.pricings},
    })
    const tier = pricing?.properties?.pricingTier ?? 'Free'
    if (tier !== 'Standard') {
      throw new RuleError('DEFENDER_FOR_SERVERS', `Subscription ${subscriptionId} does not have Microsoft Defender for Servers (its plan is ${tier}); the Defender for Endpoint integration needs it.`, {
        suggestions: [`Turn it on in the Azure portal: Microsoft Defender for Cloud > Environment settings > ${subscriptionId} > Defender plans > Servers: On (Plan 1 or Plan 2), Save; then retry.`],
        details: {subscriptionId, pricingTier: tier},
      })
    }
  }

  async function put(client: ApiClient, subscriptionId: string, name: string, enabled: boolean): Promise<void> {
    try {
      await client.put(settingPath(subscriptionId, name), {name, type: 'Microsoft.Security/settings', kind: 'DataExportSettings', properties: {enabled}}, {query: {'api-version': ARM_VERSIONS.settings}})
    } catch (error) {
      throw writeRefused(error, subscriptionId)
    }
  }

  return {
    /** Every subscription the credential sees, with its integration state. */
    async list(): Promise<DefenderForCloudSubscription[]> {
      const client = await ctx.client()
      const subs = (await subscriptions(client)).filter((s) => s.state === undefined || s.state === 'Enabled' || s.state === 'Warned' || s.state === 'PastDue')
      const out: DefenderForCloudSubscription[] = []
      for (const s of subs) out.push(subscriptionState(s.subscriptionId, cloud, await readSettings(client, s.subscriptionId)))
      return out.sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId))
    },

    /** DC1/DC2 (and DC3 for --windows-only) by the core rule; then only the settings that must change. */
    async enable(request: DefenderForCloudEnableRequest): Promise<{state: DefenderForCloudSubscription; changed: boolean}> {
      requireName(request.subscriptionId, NAME_RULES.subscription)
      // DC5 before any call; the subscription lives in the profile's cloud.
      assertCloudSupported(request.cloud)
      const client = await ctx.client()
      const before = await current(client, request.subscriptionId)
      const was = subscriptionState(request.subscriptionId, cloud, before)
      const next = nextDefenderForCloudState(was, {...request, cloud})
      const excludeLinux = !next.linux
      const writes: [string, boolean][] = []
      // The Linux exclusion first and WDATP last: until WDATP is on, nothing else takes effect,
      // so a failure part way leaves the integration as it was.
      if ((before.excludeLinux ?? false) !== excludeLinux) writes.push(['WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW', excludeLinux])
      if (before.unified === false) writes.push(['WDATP_UNIFIED_SOLUTION', true])
      if (!before.wdatp) writes.push(['WDATP', true])
      if (writes.length === 0) return {state: was, changed: false}
      await requireServersPlan(client, request.subscriptionId)
      for (const [name, enabled] of writes) await put(client, request.subscriptionId, name, enabled)
      const after = subscriptionState(request.subscriptionId, cloud, await readSettings(client, request.subscriptionId))
      return {state: after, changed: after.windows !== was.windows || after.linux !== was.linux}
    },

    /** DC3: only the whole integration goes off (WDATP); Linux alone is refused before any call. */
    async disable(request: DefenderForCloudDisableRequest): Promise<{state: DefenderForCloudSubscription; changed: boolean}> {
      requireName(request.subscriptionId, NAME_RULES.subscription)
      assertCanDisable(request.linuxOnly, request.subscriptionId)
      const client = await ctx.client()
      const before = await current(client, request.subscriptionId)
      const was = subscriptionState(request.subscriptionId, cloud, before)
      if (!before.wdatp) return {state: was, changed: false}
      await put(client, request.subscriptionId, 'WDATP', false)
      const after = subscriptionState(request.subscriptionId, cloud, await readSettings(client, request.subscriptionId))
      return {state: after, changed: after.windows !== was.windows || after.linux !== was.linux}
    },
  }
}

export type DefenderForCloudResource = ReturnType<typeof defenderForCloud>
