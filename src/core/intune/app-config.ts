/** IN6: the app configuration that tells Defender for iOS whether the device is supervised. */
export const IOS_SUPERVISED = {
  defaultName: 'Defender for iOS: supervised mode',
  targetedApp: 'Microsoft Defender for iOS',
  bundleId: 'com.microsoft.scmx',
  key: 'issupervised',
  value: '{{issupervised}}',
  /** Seed 003: best practice is to target all devices. */
  defaultAssignment: 'all devices',
} as const

/** Graph's iosMobileAppConfiguration body for the same settings. */
export function iosAppConfigGraphBody(config: {name: string; bundleId: string; settings: {key: string; value: string}[]}): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.iosMobileAppConfiguration',
    displayName: config.name,
    targetedMobileApps: [],
    bundleId: config.bundleId,
    settings: config.settings.map((s) => ({appConfigKey: s.key, appConfigKeyType: 'stringType', appConfigKeyValue: s.value})),
  }
}

/** The assignment as stored and shown: "group 'NAME'", or all devices (the default, seed 003). */
export const appConfigAssignment = (group: string | null): string => (group === null ? IOS_SUPERVISED.defaultAssignment : `group '${group}'`)

/** The group of a stored assignment, or null for all devices. */
export function assignedGroupOf(assignment: string): string | null {
  const m = /^group '(.*)'$/s.exec(assignment)
  return m ? m[1] : null
}
