import {foundation} from './001-foundation.js'
import {packages} from './002-packages.js'
import {devices} from './003-devices.js'
import {alerts} from './004-alerts.js'
import {intune} from './005-intune.js'
import {server} from './006-server.js'
import {nameKeys} from './007-name-keys.js'
import {edrReach} from './008-edr-reach.js'
import {sensorEvents} from './009-sensor-events.js'
import {edrView} from './010-edr-view.js'
import {operations} from './011-operations.js'
import {accessReportOnly} from './012-access-report-only.js'

/** One schema step. Versions are consecutive; a step runs once, inside a transaction. */
export interface Migration {
  version: number
  name: string
  sql: string
}

/** Every migration in order. Later issues append here (and raise LATEST_SCHEMA_VERSION in latest.ts); never edit a released step. */
export const MIGRATIONS: Migration[] = [foundation, packages, devices, alerts, intune, server, nameKeys, edrReach, sensorEvents, edrView, operations, accessReportOnly]
