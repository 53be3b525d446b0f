/**
 * The policy wizard of seed 001 on a terminal: name and description, onboarding/offboarding,
 * configuration file, Workspace key and ID, sample sharing, then a summary to confirm. Only
 * asks for what the flags did not give.
 */
import {existsSync} from 'node:fs'
import type {CreatePolicyOptions} from '../core/policy/service.js'
import type {PolicyType, SampleSharing} from '../core/policy/types.js'
import type {Prompter} from './prompt.js'

/** What the wizard of seed 001 asks: a policy's fields except the ConfigMgr version and profile. */
export type WizardAnswers = Omit<CreatePolicyOptions, 'configMgrVersion' | 'profile'>

export async function runPolicyWizard(prompter: Prompter, given: Partial<WizardAnswers>, defaults: {workspaceId: string; configMgrVersion: number}): Promise<WizardAnswers> {
  const name = given.name ?? (await prompter.input('Policy name', {validate: (v) => (v.trim() === '' ? 'A name is needed.' : true)}))
  const description = given.description ?? (await prompter.input('Description', {defaultValue: ''}))
  const type = given.type ?? (await prompter.select<PolicyType>('Type', [{value: 'onboarding'}, {value: 'offboarding'}], 'onboarding'))
  let {configFile, workspaceId, workspaceKey} = given
  const fileCheck = (v: string) => (v === '' || existsSync(v) ? true : `No file at ${v}.`)
  if (type === 'offboarding') {
    configFile ??= await prompter.input('Offboarding configuration file (valid 30 days)', {validate: (v) => (v === '' ? 'The file is needed.' : fileCheck(v))})
  } else if (configFile === undefined && workspaceId === undefined) {
    const shape = await prompter.select(
      'Which devices will it onboard?',
      [
        {value: 'any-os', name: 'Any supported OS: file + Workspace key and ID (recommended)'},
        {value: 'up-level', name: 'Up-level only: Windows 10 1607+, Server 2016 1803+, 2019 (file)'},
        {value: 'down-level', name: 'Down-level only: Windows 8.1, Server 2012 R2, 2016 1709- (key + ID)'},
      ],
      'any-os',
    )
    const needsBoth = defaults.configMgrVersion === 2002
    if (shape !== 'down-level' || needsBoth) configFile = await prompter.input('Onboarding configuration file', {validate: (v) => (v === '' ? 'The file is needed.' : fileCheck(v))})
    if (shape !== 'up-level' || needsBoth) {
      workspaceId = await prompter.input('Workspace ID', {defaultValue: defaults.workspaceId})
      workspaceKey = await prompter.password('Workspace key')
    }
  }

  const sampleSharing = given.sampleSharing ?? (await prompter.select<SampleSharing>('File samples shared for analysis', [{value: 'none', name: 'None'}, {value: 'all', name: 'All file types'}], 'none'))
  return {name, description, type, configFile: configFile || undefined, workspaceId, workspaceKey, sampleSharing}
}
