/**
 * The backend contract on the microsoft backend (issue 12), against the local stub of Entra ID
 * and the Defender for Endpoint API: every port operation is either supported and called here
 * with the answer checked against the embedded backend's shapes and errors, or refused with
 * UNSUPPORTED (exit 4) and what to do instead, a portal or console path (SPEC §1).
 *
 * Not a `*.cases.ts` suite: those arrange their data through operations a real tenant does not
 * have (device import, tenant creation); here the stub holds the data.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {MICROSOFT_CAPABILITIES, type MicrosoftBackend, openMicrosoftBackend} from '../../../src/backends/microsoft/index.js'
import {checkMicrosoftSettings} from '../../../src/backends/microsoft/settings.js'
import {capabilityOf, guardCapabilities} from '../../../src/core/capabilities.js'
import type {Backend} from '../../../src/core/port/types.js'
import {INTUNE_RESOURCE_ROLES, makeAlert, type MicrosoftStub, sampleIntuneResources, startMicrosoftStub, STUB_CLIENT_SECRET} from '../../stub/microsoft/index.js'

export interface MicrosoftTarget {
  stub: MicrosoftStub
  raw: MicrosoftBackend
  /** The backend as commands get it: guarded by its capabilities. */
  backend: Backend & Pick<MicrosoftBackend, 'operations' | 'devices'>
  cleanup(): Promise<void>
}

export async function openMicrosoftTarget(): Promise<MicrosoftTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'atpctl-contract-ms-'))
  const secretFile = join(dir, 'secret')
  writeFileSync(secretFile, STUB_CLIENT_SECRET, {mode: 0o600})
  const stub = await startMicrosoftStub({budget: {perMinute: 100_000, perHour: 1_000_000}, actions: {pendingMs: 20, inProgressMs: 20}})
  // Graph: the Intune resources (G2).
  stub.setRoles('graph', [...INTUNE_RESOURCE_ROLES])
  Object.assign(stub.graph, sampleIntuneResources())
  const [ws1] = stub.state.machines
  stub.state.alerts.push(makeAlert(ws1, {severity: 'Low'}))
  const settings = checkMicrosoftSettings({tenantId: stub.tenantId, clientId: stub.clientId, secretFile, authorityHost: stub.authorityHost, defenderUrl: stub.defenderUrl, graphUrl: stub.graphUrl, armUrl: stub.armUrl, caFile: stub.caFile})
  const raw = openMicrosoftBackend({settings, context: {profile: 'contract', actor: 'test:contract'}, env: {}, budget: [{max: 100_000, windowMs: 60_000}], hostname: () => 'ws-001'})
  return {
    stub,
    raw,
    backend: guardCapabilities(raw) as MicrosoftTarget['backend'],
    async cleanup() {
      await raw.close()
      await stub.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** Operations of supported capabilities that a real tenant still cannot do (no API), with the refusal's cue. */
export const REFUSED_WITHIN_SUPPORTED: Record<string, RegExp> = {
  'devices.import': /Settings > Endpoints > Onboarding/,
  'devices.reportFromSensor': /Settings > Endpoints > Onboarding/,
  'devices.delete': /Assets > Devices > \(device\) > Exclude/,
  'detection.submitFile': /--path/,
}

/** Is this operation's capability unsupported on microsoft? */
export function unsupportedOnMicrosoft(id: string): boolean {
  const [resource, method] = id.split('.')
  const capability = capabilityOf(resource, method)
  return capability !== null && !MICROSOFT_CAPABILITIES[capability].supported
}
