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
