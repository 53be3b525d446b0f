/**
 * The tenant's onboarding package through Azure Resource Manager (issue 13; REFERENCE §3.2,
 * §8.5): `Microsoft.Security/mdeOnboardings/default` of a subscription, api-version
 * 2021-10-01-preview (the only one it exists in), whose `onboardingPackageWindows` and
 * `onboardingPackageLinux` are the onboarding script files, base64. Returned exactly as
 * received; the zip layout is core's (`core/package/tenant-package.ts`).
 */
import {NotFoundError, UnreachableError} from '../../core/errors.js'
import type {TenantScript} from '../../core/package/tenant-package.js'
import {ARM_VERSIONS, type ArmContext} from './arm.js'

interface MdeOnboarding {
  properties?: {onboardingPackageWindows?: string; onboardingPackageLinux?: string}
}

const PROPERTY: Record<TenantScript, 'onboardingPackageWindows' | 'onboardingPackageLinux'> = {windows: 'onboardingPackageWindows', linux: 'onboardingPackageLinux'}

export function armPackages(ctx: Pick<ArmContext, 'client'>) {
  return {
    /** The subscription's onboarding script for an OS, as bytes exactly as Microsoft sent them. */
    async onboardingScript(request: {subscriptionId: string; script: TenantScript}): Promise<{contentBase64: string}> {
      const client = await ctx.client()
      const data: MdeOnboarding = await client.get(`/subscriptions/${encodeURIComponent(request.subscriptionId)}/providers/Microsoft.Security/mdeOnboardings/default`, {
        query: {'api-version': ARM_VERSIONS.mdeOnboardings},
      })
      const value = data?.properties?.[PROPERTY[request.script]]
      if (typeof value !== 'string' || value === '') {
        throw new NotFoundError(`Subscription ${request.subscriptionId} has no ${request.script} onboarding package (mdeOnboardings has no ${PROPERTY[request.script]}).`, {
          suggestions: ['Enable the integration first: atpctl integration enable defender-for-cloud --subscription ' + request.subscriptionId, 'Or download the package in the Microsoft Defender portal: Settings > Endpoints > Onboarding.'],
        })
      }

      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
        throw new UnreachableError(`Azure Resource Manager sent the ${request.script} onboarding package of ${request.subscriptionId} in a form that is not base64.`, {
          suggestions: ['Retry; if it persists, download the package in the Microsoft Defender portal: Settings > Endpoints > Onboarding.'],
        })
      }

      return {contentBase64: value}
    },
  }
}
