import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {createCollection} from '../collection/service.js'
import {importInventory} from '../device/service.js'
import {monitorDeployment} from '../monitor/service.js'
import {generatePackage} from '../package/generate.js'
import {createPolicy, deployPolicy} from '../policy/service.js'
import type {QuickstartContext, QuickstartStep} from './types.js'
import {listAll} from '../port/page.js'

const POLICY = 'Quickstart any OS'
const COLLECTION = 'Quickstart servers'

/** A small mixed estate; lastSeen relative to now so health is meaningful whenever it runs. */
function inventoryCsv(now: Date): string {
  const ago = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString()
  return [
    'name,os,version,managedBy,environment,subscription,collections,user,groups,lastSeen,sensorService',
    `QS-WIN10-01,Windows 10 Enterprise,10.0.19045,configmgr,on-premises,,Quickstart clients,alice@contoso.com,Finance,${ago(1)},running`,
    `QS-WIN11-01,Windows 11 Enterprise,23H2,configmgr;intune,on-premises,,Quickstart clients,bob@contoso.com,Sales,${ago(2)},stopped`,
    `QS-WIN81-01,Windows 8.1 Pro,6.3.9600,configmgr,on-premises,,Quickstart clients,carol@contoso.com,Finance,${ago(3)},running`,
    `QS-SRV2016-01,Microsoft Windows Server 2016 Datacenter,10.0.14393,configmgr,on-premises,,,,,${ago(1)},running`,
    `QS-SRV1803-01,Windows Server 2016 Datacenter,1803,configmgr,on-premises,,,,,${ago(24 * 10)},running`,
    `QS-SRV2019-01,Windows Server 2019 Standard,10.0.17763,configmgr,on-premises,,,,,${ago(1)},running`,
    `QS-WIN10-1511,Windows 10 Enterprise,1511,configmgr,on-premises,,Quickstart clients,dan@contoso.com,IT,${ago(1)},running`,
    `QS-MAC-01,macOS 14.4,,third-party:sentinelone,on-premises,,,erin@contoso.com,Design,${ago(1)},running`,
  ].join('\n') + '\n'
}

async function workspace(ctx: QuickstartContext): Promise<{id: string; key: string}> {
  const tenant = await ctx.backend.tenant.get()
  const secrets = await ctx.backend.tenant.secrets()
  return {id: tenant!.workspaceId, key: secrets.workspaceKey}
}

/** The devices part of the walk-through: inventory, collections, an any-OS policy, its plan and deployment, the dashboard. */
export const devicesSteps: QuickstartStep[] = [
  {
    id: 'device-import',
    title: 'Import a device inventory',
    why: 'Every row is classified: OS family, build, and up-level / down-level / unsupported for Configuration Manager. Getting that wrong silently leaves machines unprotected.',
    command: 'atpctl device import inventory.csv',
    async run(ctx) {
      await mkdir(ctx.workDir, {recursive: true, mode: 0o700})
      const file = join(ctx.workDir, 'inventory.csv')
      await writeFile(file, inventoryCsv(new Date()))
      const result = await importInventory(ctx.backend, {file, skipInvalid: false, profile: ctx.profile})
      const devices = await listAll((page) => ctx.backend.devices.list({collection: 'Quickstart clients', ...page}))
      return {
        summary: `Imported ${result.summary.total} devices (${result.summary.created} new, ${result.summary.updated} updated).`,
        details: devices.map((d) => `  ${d.name}: ${d.osName}, ${d.level}`),
        data: result.summary,
      }
    },
  },
  {
    id: 'collection-create',
    title: 'Group the servers in a query-rule collection',
    why: 'Collections are what policies are deployed to; a query rule (here: every Windows Server) is re-evaluated whenever the inventory changes.',
    command: `atpctl collection create "${COLLECTION}" --rule "family=windows-server"`,
    async run(ctx) {
      const existing = (await listAll((page) => ctx.backend.collections.list(page))).find((c) => c.name === COLLECTION)
      const collection = existing ?? (await createCollection(ctx.backend, {name: COLLECTION, rules: ['family=windows-server'], profile: ctx.profile})).collection
      const {upLevel, downLevel} = collection.levels
      return {
        summary: `${COLLECTION}: ${collection.members} members, ${upLevel} up-level and ${downLevel} down-level${existing ? ' (already there)' : ''}.`,
        details: upLevel > 0 && downLevel > 0 ? ['Both kinds in one collection: only an "any OS" policy onboards them all.'] : [],
        data: collection,
      }
    },
  },
  {
    id: 'policy-create',
    title: 'Create an "any OS" onboarding policy',
    why: 'Up-level systems need the onboarding configuration file, down-level ones the Workspace key and ID; the recommended policy carries both.',
    command: `atpctl package generate onboarding --os windows --method configmgr --out onboarding.zip && atpctl policy create --name "${POLICY}" --type onboarding --config-file onboarding.zip --workspace-id <id> --workspace-key-file key.txt`,
    async run(ctx) {
      const existing = (await listAll((page) => ctx.backend.policies.list(page))).find((p) => p.name === POLICY)
      if (existing) return {summary: `Policy '${POLICY}' already exists (${existing.shape}).`, data: existing}
      const out = join(ctx.workDir, 'WindowsDefenderATPOnboardingPackage-configmgr.zip')
      await generatePackage(ctx.backend, {kind: 'onboarding', os: 'windows', method: 'configmgr', out, directory: ctx.workDir, profile: ctx.profile})
      const ws = await workspace(ctx)
      const {policy} = await createPolicy(ctx.backend, {
        name: POLICY,
        description: 'Created by atpctl quickstart',
        type: 'onboarding',
        configFile: out,
        workspaceId: ws.id,
        workspaceKey: ws.key,
        sampleSharing: 'none',
        configMgrVersion: 2103,
        profile: ctx.profile,
      })
      return {summary: `Policy '${policy.name}' created: ${policy.shape}, ConfigMgr ${policy.configMgrVersion}; the file was verified by the package inspector.`, data: policy}
    },
  },
  {
    id: 'policy-deploy',
    title: 'Plan the deployment, then deploy',
    why: 'The plan says, before anything is applied, which devices would be missed and why; atpctl refuses (exit 4) unless --force.',
    command: `atpctl policy deploy "${POLICY}" --collection "${COLLECTION}" --collection "Quickstart clients" --dry-run`,
    async run(ctx) {
      const collections = [COLLECTION, 'Quickstart clients']
      const {plan: dry} = await deployPolicy(ctx.backend, {name: POLICY, collections, dryRun: true, force: false, profile: ctx.profile})
      const {plan} = await deployPolicy(ctx.backend, {name: POLICY, collections, dryRun: false, force: true, profile: ctx.profile})
      const [onboarded] = await listAll((page) => ctx.backend.devices.list({onboarded: true, health: 'healthy', collection: 'Quickstart clients', ...page}), {limit: 1})
      if (onboarded) ctx.shared.onboardedDevice = onboarded.name
      return {
        summary: `Plan: ${dry.summary.reached} of ${dry.summary.targeted} devices reached, ${dry.summary.missed} missed; deployed with --force.`,
        details: dry.missed.map((m) => `  missed ${m.name}: ${m.message}`),
        data: {summary: plan.summary, missed: plan.missed, applied: plan.applied},
      }
    },
  },
  {
    id: 'monitor',
    title: 'Watch deployment status and agent health',
    why: 'The ConfigMgr dashboard: eligible clients with an active onboarding policy, how many are onboarded, and Healthy / Inactive / Agent state / Not onboarded.',
    command: 'atpctl monitor',
    async run(ctx) {
      const report = await monitorDeployment(ctx.backend, {periodMs: 7 * 86_400_000, profile: ctx.profile})
      const h = report.health
      return {
        summary: `${report.deployment.onboarded} of ${report.deployment.eligible} eligible clients onboarded (${report.deployment.percent}%).`,
        details: [`  Healthy ${h.healthy}, Inactive ${h.inactive}, Agent state ${h.agentState}, Not onboarded ${h.notOnboarded}`],
        data: {deployment: report.deployment, health: report.health},
      }
    },
  },
]
