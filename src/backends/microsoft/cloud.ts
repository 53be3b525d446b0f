/**
 * The Microsoft clouds atpctl signs in to and the base URL of each API there (REFERENCE §8.1),
 * with the OAuth scope each API's token is requested for (§8.2). An override (a proxy, a private
 * endpoint, a test stub) moves where requests go, never which scope the token is for: the token
 * must still be one the real API accepts.
 */
import {UsageError} from '../../core/errors.js'

export const MICROSOFT_CLOUDS = ['commercial', 'gcc', 'gcc-high', 'dod'] as const
export type MicrosoftCloud = (typeof MICROSOFT_CLOUDS)[number]

export type MicrosoftApi = 'defender' | 'graph' | 'arm'

export interface EndpointOverrides {
  authorityHost?: string
  defenderUrl?: string
  graphUrl?: string
  armUrl?: string
}

export interface MicrosoftEndpoints {
  cloud: MicrosoftCloud
  authorityHost: string
  defenderUrl: string
  graphUrl: string
  armUrl: string
  /** The `/.default` scope of each API's token. */
  scopes: Record<MicrosoftApi, string>
  /** False when the authority host is not a public cloud's: instance discovery must be off (§8.2). */
  publicAuthority: boolean
}

interface CloudRow {
  authorityHost: string
  defenderUrl: string
  /** The resource the Defender token is for (commercial: api.securitycenter, also for the api.security host). */
  defenderResource: string
  graphUrl: string
  armUrl: string
}

const CLOUDS: Record<MicrosoftCloud, CloudRow> = {
  commercial: {
    authorityHost: 'https://login.microsoftonline.com',
    defenderUrl: 'https://api.security.microsoft.com',
    defenderResource: 'https://api.securitycenter.microsoft.com',
    graphUrl: 'https://graph.microsoft.com',
    armUrl: 'https://management.azure.com',
  },
  gcc: {
    authorityHost: 'https://login.microsoftonline.com',
    defenderUrl: 'https://api-gcc.securitycenter.microsoft.us',
    defenderResource: 'https://api-gcc.securitycenter.microsoft.us',
    graphUrl: 'https://graph.microsoft.com',
    armUrl: 'https://management.azure.com',
  },
  'gcc-high': {
    authorityHost: 'https://login.microsoftonline.us',
    defenderUrl: 'https://api-gov.securitycenter.microsoft.us',
    defenderResource: 'https://api-gov.securitycenter.microsoft.us',
    graphUrl: 'https://graph.microsoft.us',
    armUrl: 'https://management.usgovcloudapi.net',
  },
  dod: {
    authorityHost: 'https://login.microsoftonline.us',
    defenderUrl: 'https://api-gov.securitycenter.microsoft.us',
    defenderResource: 'https://api-gov.securitycenter.microsoft.us',
    graphUrl: 'https://dod-graph.microsoft.us',
    armUrl: 'https://management.usgovcloudapi.net',
  },
}

/** Authority hosts of Microsoft's public and national clouds, which instance discovery knows. */
const PUBLIC_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
])

export function isPublicAuthorityHost(url: string): boolean {
  try {
    return PUBLIC_AUTHORITY_HOSTS.has(new URL(url).hostname.toLowerCase())
  } catch {
    return false
  }
}

export function isMicrosoftCloud(value: string): value is MicrosoftCloud {
  return (MICROSOFT_CLOUDS as readonly string[]).includes(value)
}

/** The endpoints of a cloud, each overridable; overrides must already be checked https URLs. */
export function endpointsFor(cloud: MicrosoftCloud, overrides: EndpointOverrides = {}): MicrosoftEndpoints {
  const row = CLOUDS[cloud]
  if (!row) throw new UsageError(`'${String(cloud)}' is not a Microsoft cloud atpctl knows.`, {suggestions: [`Pass --cloud with one of: ${MICROSOFT_CLOUDS.join(', ')}.`]})
  const authorityHost = trim(overrides.authorityHost ?? row.authorityHost)
  return {
    cloud,
    authorityHost,
    defenderUrl: trim(overrides.defenderUrl ?? row.defenderUrl),
    graphUrl: trim(overrides.graphUrl ?? row.graphUrl),
    armUrl: trim(overrides.armUrl ?? row.armUrl),
    scopes: {
      defender: `${row.defenderResource}/.default`,
      graph: `${row.graphUrl}/.default`,
      arm: `${row.armUrl}/.default`,
    },
    publicAuthority: isPublicAuthorityHost(authorityHost),
  }
}

const trim = (url: string) => url.replace(/\/+$/, '')
