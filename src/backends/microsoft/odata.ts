/**
 * OData `$filter` text for the Defender for Endpoint API (REFERENCE §2.2–§2.4): only the fields
 * the API filters on. A filter sent to the server narrows what comes back; the core rules are
 * applied again to every machine received, so a server filter can only save calls, never change
 * an answer.
 */
import type {DeviceListOptions} from '../../core/port/devices-api.js'
import {MACHINE_HEALTH} from '../../core/device/machine.js'

/** A string literal: single quotes doubled. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

const AGENT_STATE_STATUSES = (Object.keys(MACHINE_HEALTH) as (keyof typeof MACHINE_HEALTH)[]).filter((s) => MACHINE_HEALTH[s].health === 'agent-state')

/** The `$filter` of a device listing, or null when nothing can be filtered on the server. */
export function machineFilter(options: DeviceListOptions, now: Date): string | null {
  const parts: string[] = []
  if (options.namePrefix) parts.push(`startswith(computerDnsName,${literal(options.namePrefix.toLowerCase())})`)
  if (options.collection !== undefined) parts.push(`machineTags/any(t: t eq ${literal(options.collection)})`)
  switch (options.osFamily) {
    case 'windows-server': {
      parts.push("startswith(osPlatform,'WindowsServer')")
      break
    }

    case 'windows': {
      parts.push("startswith(osPlatform,'Windows') and not startswith(osPlatform,'WindowsServer')")
      break
    }

    case 'macos': {
      parts.push("osPlatform eq 'macOS'")
      break
    }

    case 'ios': {
      parts.push("osPlatform eq 'iOS'")
      break
    }

    case 'android': {
      parts.push("osPlatform eq 'Android'")
      break
    }

    default:
    // linux (many distribution names) and other: filtered here only.
  }

  const since = new Date(now.getTime() - (options.periodMs ?? 7 * 86_400_000)).toISOString()
  switch (options.health) {
    case 'healthy': {
      parts.push(`onboardingStatus eq 'Onboarded' and healthStatus eq 'Active' and lastSeen ge ${since}`)
      break
    }

    case 'inactive': {
      parts.push(`onboardingStatus eq 'Onboarded' and (healthStatus eq 'Inactive' or (healthStatus eq 'Active' and lastSeen lt ${since}))`)
      break
    }

    case 'agent-state': {
      parts.push(`onboardingStatus eq 'Onboarded' and healthStatus in (${AGENT_STATE_STATUSES.map(literal).join(',')})`)
      break
    }

    case 'not-onboarded': {
      parts.push("onboardingStatus ne 'Onboarded'")
      break
    }

    default:
  }

  if (options.onboarded !== undefined) parts.push(options.onboarded ? "onboardingStatus eq 'Onboarded'" : "onboardingStatus ne 'Onboarded'")
  if (parts.length === 0) return null
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' and ')
}
