import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {generatePackage} from '../package/generate.js'
import {assertUsable} from '../package/inspect.js'
import {inspectForProfile} from '../package/service.js'
import type {QuickstartStep} from './types.js'

/** The packages part of the walk-through: generate an onboarding package, then inspect it. */
export const packagesSteps: QuickstartStep[] = [
  {
    id: 'package-generate',
    title: 'Generate an onboarding package',
    why: 'Machines join the tenant with a signed onboarding package; this one has the layout of the portal\'s Group Policy zip (script + ADMX/ADML) and is written owner-only because it is a secret.',
    command: 'atpctl package generate onboarding --os windows --method group-policy',
    async run(ctx) {
      await mkdir(ctx.workDir, {recursive: true, mode: 0o700})
      const out = join(ctx.workDir, 'WindowsDefenderATPOnboardingPackage.zip')
      const {package: pkg} = await generatePackage(ctx.backend, {kind: 'onboarding', os: 'windows', method: 'group-policy', out, directory: ctx.workDir, profile: ctx.profile})
      ctx.shared.onboardingPackage = pkg.file
      return {
        summary: `Wrote ${pkg.file} (${pkg.entries.length} files, sha256 ${pkg.sha256.slice(0, 12)}…).`,
        details: pkg.entries.map((e) => `  ${e}`),
        data: {file: pkg.file, entries: pkg.entries, sha256: pkg.sha256},
      }
    },
  },
  {
    id: 'package-inspect',
    title: 'Inspect the package',
    why: 'Before deploying any package (yours or one downloaded from the portal), check whose it is, that both signatures verify, and for offboarding how long it stays valid.',
    command: 'atpctl package inspect WindowsDefenderATPOnboardingPackage.zip',
    async run(ctx) {
      const file = (ctx.shared.onboardingPackage as string | undefined) ?? join(ctx.workDir, 'WindowsDefenderATPOnboardingPackage.zip')
      const inspection = assertUsable(await inspectForProfile(ctx.backend, {file}), {kind: 'onboarding', requireTenant: true})
      const sigs = inspection.signatures.sha1Valid && inspection.signatures.sha256Valid ? 'both signatures valid' : 'signature problem'
      return {
        summary: `${inspection.kind} package for org ${inspection.orgId} (${inspection.datacenter}, ${inspection.geo}); ${sigs}; signed by the ${inspection.signer.kind}.`,
        data: {kind: inspection.kind, os: inspection.os, method: inspection.method, orgId: inspection.orgId, signatures: inspection.signatures, signer: inspection.signer.kind, belongsToTenant: inspection.belongsToTenant},
      }
    },
  },
]
