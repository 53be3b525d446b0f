/** The sensor endpoints of `atpctl serve` (authenticated by provider tokens only, TP2). */
export const SENSOR_PATHS = {
  tenant: '/v1/sensor/tenant',
  register: '/v1/sensor/register',
  heartbeat: '/v1/sensor/heartbeat',
  files: '/v1/sensor/files',
} as const

export interface SensorMachine {
  name: string
  os: string
  version?: string | null
}

export interface SensorFile {
  device: string
  fileName: string
  path: string
  contentBase64: string
}
