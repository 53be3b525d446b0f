import {writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {Backend} from '../port/types.js'
import {checkAccess, createAccessPolicy} from '../access/service.js'
import type {AccessDecision} from '../access/rules.js'
import {resolveAlert} from '../alert/service.js'
import {createCompliancePolicy, evaluateCompliance} from '../compliance/service.js'
import {runEicarCheck} from '../detect/service.js'
import {importInventory} from '../device/service.js'
import {AtpError, isAtpError} from '../errors.js'
import {changeIntegration} from '../integration/service.js'
import {createEdrProfile, showEdrProfile} from '../intune/service.js'
import type {QuickstartContext, QuickstartStep} from './types.js'
import {listAll} from '../port/page.js'

const DEVICE = 'qs-intune-lt-01'
const USER = 'alice@contoso.com'
const GROUP = 'Quickstart Finance'
const EDR = 'Quickstart EDR onboarding'
const COMPLIANCE = 'Quickstart Windows baseline'
const ACCESS = 'Quickstart require compliant device'
const APP = 'sharepoint'

const exists = async (fn: () => Promise<unknown>): Promise<boolean> =>
  fn().then(
    () => true,
    (error: unknown) => {
      if (isAtpError(error) && error.exitCode === 3) return false
      throw error
    },
  )

const check = (ctx: QuickstartContext): Promise<AccessDecision> => checkAccess(ctx.backend, {user: USER, device: DEVICE, app: APP, client: 'browser', profile: ctx.profile})

/** Active alerts of the quickstart device, e.g. left by an interrupted earlier run. */
async function activeAlertIds(backend: Backend): Promise<string[]> {
  return (await listAll((page) => backend.alerts.list({device: DEVICE, ...page}))).filter((a) => a.status !== 'Resolved').map((a) => a.id)
}

/** Seed 003's story: connect Intune, onboard with an EDR profile, judge risk, and gate access on it. */
export const intuneSteps: QuickstartStep[] = [
  {
    id: 'intune-connect',
    title: 'Connect Intune for Android, iOS and Windows',
    why: 'The Intune connection is a one-time switch per tenant with a toggle per platform; turning it on creates the protected classic conditional access policy.',
    command: 'atpctl integration enable intune --android --ios --windows',
    async run(ctx) {
      const result = await changeIntegration(ctx.backend, {kind: 'intune', enabled: true, platforms: {android: true, ios: true, windows: true}, profile: ctx.profile})
      if (result.kind !== 'intune') throw new Error('unexpected integration result')
      return {summary: `Intune connection is on (Windows >= 10.0.15063, Android >= 6.0.0, iOS >= 8.0); classic policy ${result.intune.classicPolicyId}.`, data: result.intune}
    },
  },
  {
    id: 'intune-device',
    title: 'Add an Intune-managed Windows laptop to the inventory',
    why: "Compliance and access need devices: this one is managed by Intune, in group 'Quickstart Finance', and its user has signed in there.",
    command: 'atpctl device import intune-devices.csv',
    async run(ctx) {
      const file = join(ctx.workDir, 'intune-devices.csv')
      await writeFile(file, `name,os,version,managedBy,user,groups,lastSeen\n${DEVICE},Windows 11 Enterprise,10.0.22631,intune,${USER},${GROUP},${new Date().toISOString()}\n`)
      const result = await importInventory(ctx.backend, {file, skipInvalid: false, profile: ctx.profile})
      return {summary: `${DEVICE} imported (${result.summary.created} created, ${result.summary.updated} updated) from ${file}.`, data: result.summary}
    },
  },
  {
    id: 'edr-profile',
    title: 'Onboard it with an EDR profile',
    why: 'An Endpoint detection and response profile (Windows 10 and later) assigned to a device group onboards its Intune-managed devices while the Windows toggle is on and the OS is 10.0.15063 or later.',
    command: `atpctl edr-profile create --name "${EDR}" --sample-sharing all --assign-device-group "${GROUP}"`,
    async run(ctx) {
      const had = await exists(() => showEdrProfile(ctx.backend, {name: EDR, profile: ctx.profile}))
      const detail = had
        ? await showEdrProfile(ctx.backend, {name: EDR, profile: ctx.profile})
        : await createEdrProfile(ctx.backend, {name: EDR, sampleSharing: 'all', expediteTelemetry: false, deviceGroups: [GROUP], userGroups: [], profile: ctx.profile})
      const state = detail.devices.find((d) => d.deviceName === DEVICE)
      return {
        summary: `${had ? 'Profile already there' : 'Profile created'}: ${DEVICE} ${state?.onboarded ? 'is onboarded' : `is not onboarded (${state?.reason ?? 'not reached'})`}.`,
        data: {profile: detail.profile.name, device: state ?? null},
      }
    },
  },
  {
    id: 'compliance',
    title: 'Require a clear machine risk',
    why: 'A compliance policy sets the maximum machine risk: with clear, any active alert makes the device noncompliant.',
    command: `atpctl compliance create --name "${COMPLIANCE}" --platform windows --max-risk clear --assign-group "${GROUP}"`,
    async run(ctx) {
      const had = (await listAll((page) => ctx.backend.compliance.list(page))).some((p) => p.name.toLowerCase() === COMPLIANCE.toLowerCase())
      if (!had) await createCompliancePolicy(ctx.backend, {name: COMPLIANCE, platform: 'windows', maxRisk: 'clear', assignGroup: GROUP, profile: ctx.profile})
      const resolved: string[] = []
      for (const id of await activeAlertIds(ctx.backend)) {
        await resolveAlert(ctx.backend, {id, comment: 'quickstart: left by an earlier run', profile: ctx.profile})
        resolved.push(id)
      }

      const [device] = (await evaluateCompliance(ctx.backend, {device: DEVICE, profile: ctx.profile})).devices
      return {
        summary: `${had ? 'Policy already there' : 'Policy created'}; ${DEVICE} is ${device.status}: ${device.reason}.`,
        details: resolved.length > 0 ? [`Resolved ${resolved.length} alert(s) an earlier run left on ${DEVICE}.`] : undefined,
        data: device,
      }
    },
  },
  {
    id: 'access-policy',
    title: 'Block access from noncompliant devices',
    why: 'A conditional access policy includes users, protects cloud apps for client apps, and grants access only from a compliant device. `atpctl access check` explains every decision.',
    command: `atpctl access policy create --name "${ACCESS}" --include-group all --app ${APP} --client browser --grant compliant-device`,
    async run(ctx) {
      const had = (await listAll((page) => ctx.backend.access.listPolicies(page))).some((p) => p.name.toLowerCase() === ACCESS.toLowerCase())
      if (!had) await createAccessPolicy(ctx.backend, {name: ACCESS, includeGroups: ['all'], excludeGroups: [], apps: [APP], clients: ['browser'], grant: 'compliant-device', enabled: true, profile: ctx.profile})
      const decision = await check(ctx)
      return {summary: `${had ? 'Policy already there' : 'Policy created'}; access check: ${decision.explanation}.`, data: decision}
    },
  },
  {
    id: 'access-blocked',
    title: 'Raise risk with an EICAR alert: access is blocked',
    why: 'An EICAR test file raises an alert on the device; its risk is now above clear, so it is noncompliant and the policy blocks it (`access check` exits 4 for a CI gate).',
    command: `atpctl detect eicar --device ${DEVICE} && atpctl access check --user ${USER} --device ${DEVICE} --app ${APP} --client browser`,
    async run(ctx) {
      const verdict = await runEicarCheck(ctx.backend, {profile: ctx.profile, device: DEVICE, dir: ctx.workDir, timeoutMs: 60_000, keep: false})
      if (!verdict.passed) throw new AtpError(verdict.code, verdict.exitCode, verdict.message, {suggestions: verdict.suggestions})
      ctx.shared.intuneAlertId = verdict.alert!.id
      const decision = await check(ctx)
      return {summary: `Alert ${verdict.alert!.id}; access check: ${decision.explanation} (exit 4).`, data: decision}
    },
  },
  {
    id: 'access-restored',
    title: 'Resolve the alert: access is granted again',
    why: 'Risk comes from active alerts only; once resolved, the device is compliant and access is granted (exit 0).',
    command: `atpctl alert resolve <id> && atpctl access check --user ${USER} --device ${DEVICE} --app ${APP} --client browser`,
    async run(ctx) {
      for (const id of await activeAlertIds(ctx.backend)) await resolveAlert(ctx.backend, {id, comment: 'quickstart: detection test', profile: ctx.profile})
      const decision = await check(ctx)
      return {summary: `Access check: ${decision.explanation}.`, data: decision}
    },
  },
]
