import {deviceRisk} from '../alert/rules.js'
import {runEicarCheck} from '../detect/service.js'
import {normaliseRow} from '../device/inventory.js'
import {AtpError, isAtpError} from '../errors.js'
import type {QuickstartContext, QuickstartStep} from './types.js'
import {listAll} from '../port/page.js'

/** Used only when no earlier step left an onboarded device: a lab machine of the foundation's provider. */
const LAB_DEVICE = {name: 'lab-linux-01', os: 'Ubuntu 22.04', managedBy: 'third-party:sentinelone'}

/** An onboarded, healthy device to test: the devices steps' choice, any such device, or the lab machine. */
async function pickDevice(ctx: QuickstartContext): Promise<{name: string; added: boolean}> {
  const named = ctx.shared.onboardedDevice
  if (typeof named === 'string') return {name: named, added: false}
  try {
    return {name: (await ctx.backend.detection.target({})).name, added: false}
  } catch (error) {
    if (!isAtpError(error) || error.exitCode !== 3) throw error
  }

  await ctx.backend.devices.import({records: [normaliseRow({...LAB_DEVICE, lastSeen: new Date().toISOString()}, 1)]})
  return {name: LAB_DEVICE.name, added: true}
}

/** The detection part of the walk-through: an EICAR check on one onboarded device, and its alert. */
export const detectionSteps: QuickstartStep[] = [
  {
    id: 'detect-eicar',
    title: 'Prove a device is protected with an EICAR test file',
    why: 'A real EICAR file (harmless, recognised by every anti-malware engine) on an onboarded device must raise an alert; the check says precisely why when it does not.',
    command: 'atpctl detect eicar --device <name> --timeout 1m',
    async run(ctx) {
      const device = await pickDevice(ctx)
      const verdict = await runEicarCheck(ctx.backend, {profile: ctx.profile, device: device.name, dir: ctx.workDir, timeoutMs: 60_000, keep: false})
      if (!verdict.passed) throw new AtpError(verdict.code, verdict.exitCode, verdict.message, {suggestions: verdict.suggestions})
      ctx.shared.eicarAlertId = verdict.alert!.id
      return {
        summary: `Alert ${verdict.alert!.id} "${verdict.alert!.title}" seen on ${device.name} after ${verdict.seconds.toFixed(1)}s.`,
        details: [
          ...(device.added ? [`No onboarded device yet, so the lab device ${device.name} (${LAB_DEVICE.managedBy}) was added to the inventory.`] : []),
          `Preflight: ${verdict.preflight.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', ')}; the test file was removed.`,
        ],
        data: {outcome: verdict.outcome, device: verdict.device, alertId: verdict.alert!.id, seconds: verdict.seconds},
      }
    },
  },
  {
    id: 'alert-show',
    title: 'Look at the alert and the device risk it causes',
    why: "Alerts follow Microsoft's shape (id, severity, status, evidence with SHA-256); a device's risk is its highest active severity, which compliance policies judge.",
    command: 'atpctl alert show <id>',
    async run(ctx) {
      const alert = await ctx.backend.alerts.get(String(ctx.shared.eicarAlertId))
      const risk = deviceRisk(await listAll((page) => ctx.backend.alerts.list({device: alert.machineId, ...page})))
      return {
        summary: `${alert.severity} alert on ${alert.computerDnsName}: ${alert.threatName}; device risk is now ${risk}.`,
        details: [`Evidence: ${alert.evidence.map((e) => `${e.filePath} sha256 ${e.sha256}`).join('; ')}`, `Resolve it with: atpctl alert resolve ${alert.id} --comment "detection test"`],
        data: {id: alert.id, title: alert.title, severity: alert.severity, status: alert.status, risk},
      }
    },
  },
]
