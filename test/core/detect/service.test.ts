import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {SubmitFileRequest} from '../../../src/core/port/detection-api.js'
import type {Backend} from '../../../src/core/port/types.js'
import type {Alert, NewAlert} from '../../../src/core/alert/types.js'
import {EICAR_SHA256, eicarAlert, judgeEicar} from '../../../src/core/detect/eicar.js'
import {runEicarCheck, runTestAlertCheck, type DetectDeps} from '../../../src/core/detect/service.js'
import {matchActivity} from '../../../src/core/detect/test-alerts.js'
import type {DetectTarget} from '../../../src/core/detect/verdict.js'
import {NotFoundError, RuleError} from '../../../src/core/errors.js'

const healthy = (over: Partial<DetectTarget> = {}): DetectTarget => ({
  name: 'web-01',
  machineId: 'a'.repeat(40),
  computerDnsName: 'web-01',
  osFamily: 'windows',
  onboarded: true,
  onboarding: 'onboarded by policy Servers',
  health: 'healthy',
  managedBy: ['configmgr'],
  dataPaths: [],
  liveSensor: null,
  ...over,
})

/**
 * An in-memory backend: one device, an engine that judges by the real rules (or, with
 * `engineDown`, accepts data but never raises anything), and an alert list.
 */
function fakeBackend(target: DetectTarget | null, options: {engineDown?: boolean; refuseTp3?: boolean} = {}) {
  const alerts: Alert[] = []
  const submitted: SubmitFileRequest[] = []
  let finds = 0
  const raise = (a: NewAlert): Alert => {
    const alert: Alert = {
      ...a,
      id: `da${alerts.length}`,
      incidentId: 1,
      status: 'New',
      machineId: target!.machineId,
      computerDnsName: target!.computerDnsName,
      alertCreationTime: new Date().toISOString(),
      firstEventTime: '',
      lastEventTime: '',
      lastUpdateTime: '',
      resolvedTime: null,
      classification: null,
      comments: [],
    }
    alerts.push(alert)
    return alert
  }

  const backend = {
    tenant: {get: async () => ({orgId: 'x'})},
    detection: {
      async target(q: {device?: string}) {
        if (!target || (q.device && q.device !== target.name)) throw new NotFoundError(`Device '${q.device}' not found.`)
        return target
      },
      async submitFile(req: SubmitFileRequest) {
        submitted.push(req)
        if (options.refuseTp3) throw new RuleError('TP3', 'Inbound data is blocked (TP3).', {suggestions: ['Turn it on.']})
        const judgement = judgeEicar(Buffer.from(req.contentBase64, 'base64'))
        if (options.engineDown || !judgement.match) return {detected: false, alert: null, reason: 'no'}
        return {detected: true, alert: raise(eicarAlert({fileName: req.fileName, filePath: req.path, sha256: judgement.sha256})), reason: 'ok'}
      },
      async submitActivity(req: any) {
        const match = matchActivity(req.os, req.activity)
        if (options.engineDown || !match) return {detected: false, alert: null, reason: 'no'}
        return {detected: true, alert: raise(match), reason: 'ok'}
      },
    },
    alerts: {
      async find(q: {machineId: string; title: string; since: string; evidenceFileName?: string}) {
        finds++
        return alerts.find((a) => a.machineId === q.machineId && a.title === q.title && (!q.evidenceFileName || a.evidence.some((e) => e.fileName === q.evidenceFileName))) ?? null
      },
    },
  } as unknown as Backend
  return {backend, alerts, submitted, finds: () => finds, raise}
}

function fakeDeps(): DetectDeps & {elapsed: () => number} {
  let now = 0
  return {now: () => now, date: () => new Date(1_700_000_000_000 + now), sleep: async (ms) => void (now += ms), elapsed: () => now}
}

describe('detection check service (SPEC DT1–DT3)', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atpctl-detect-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))
  const base = {profile: 'test', timeoutMs: 60_000, keep: false}

  it('DT1/DT3 alert seen: submits the file it wrote, finds the alert, exit 0, removes the file', async () => {
    const fake = fakeBackend(healthy())
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'alert-seen', passed: true, exitCode: 0, device: 'web-01', reportedBy: 'atpctl', polls: 1})
    expect(verdict.alert?.threatName).toBe('Virus:DOS/EICAR_Test_File')
    expect(verdict.file).toMatchObject({sha256: EICAR_SHA256, size: 68, kept: false})
    // What was submitted is what was on disk: the bare EICAR string
    expect(judgeEicar(Buffer.from(fake.submitted[0].contentBase64, 'base64')).match).toBe(true)
    expect(fake.submitted[0].path).toBe(verdict.file!.path)
    expect(readdirSync(dir)).toEqual([])
  })

  it('DT1 --keep leaves the EICAR file behind', async () => {
    const fake = fakeBackend(healthy())
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir, keep: true}, fakeDeps())
    expect(verdict.file?.kept).toBe(true)
    expect(judgeEicar(readFileSync(verdict.file!.path)).match).toBe(true)
  })

  it('without --path writes into a fresh temp directory and removes it', async () => {
    const fake = fakeBackend(healthy())
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01'}, fakeDeps())
    expect(verdict.passed).toBe(true)
    expect(existsSync(join(verdict.file!.path, '..'))).toBe(false)
  })

  it('DT3 timeout (exit 10): the engine never raises; the waiter backs off until the deadline', async () => {
    const fake = fakeBackend(healthy(), {engineDown: true})
    const deps = fakeDeps()
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir, timeoutMs: 30_000}, deps)
    expect(verdict).toMatchObject({outcome: 'timeout', exitCode: 10, code: 'DETECT_TIMEOUT', passed: false})
    expect(verdict.message).toMatch(/within 30s/)
    expect(deps.elapsed()).toBe(30_000)
    expect(fake.finds()).toBeLessThanOrEqual(12)
    expect(readdirSync(dir)).toEqual([])
  })

  it('DT3 unknown device (exit 11) fails before anything is written', async () => {
    const fake = fakeBackend(healthy())
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'nope', dir}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'not-onboarded', exitCode: 11, device: 'nope', file: null})
    expect(verdict.message).toMatch(/unknown/)
    expect(readdirSync(dir)).toEqual([])
    expect(fake.submitted).toEqual([])
  })

  it('DT3 not onboarded (exit 11) says why', async () => {
    const fake = fakeBackend(healthy({onboarded: false, onboarding: 'up-level device under a key/ID-only policy', health: 'not-onboarded'}))
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'not-onboarded', exitCode: 11})
    expect(verdict.message).toContain('up-level device under a key/ID-only policy')
  })

  it.each([
    ['inactive', /inactive/],
    ['agent-state', /sensor service is not running/],
  ] as const)('DT3 sensor %s (exit 12)', async (health, text) => {
    const fake = fakeBackend(healthy({health}))
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'sensor-inactive', exitCode: 12})
    expect(verdict.message).toMatch(text)
    expect(readdirSync(dir)).toEqual([])
  })

  it('DT3/TP3 integration off (exit 13) in preflight, before the onboarding check', async () => {
    const path = {integration: 'third-party:sentinelone', enabled: false, enableCommand: 'atpctl integration enable third-party --provider sentinelone'}
    const fake = fakeBackend(healthy({dataPaths: [path], onboarded: false, health: 'not-onboarded'}))
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'blocked', exitCode: 13, code: 'DETECT_BLOCKED'})
    expect(verdict.suggestions[0]).toContain('atpctl integration enable third-party --provider sentinelone')
  })

  it('DT3/TP3 data refused at submission (exit 13) still removes the file', async () => {
    const fake = fakeBackend(healthy(), {refuseTp3: true})
    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'blocked', exitCode: 13})
    expect(readdirSync(dir)).toEqual([])
  })

  it('live sensor rule: only writes into the watched directory, does not submit, and waits', async () => {
    const fake = fakeBackend(healthy({liveSensor: {watchDir: null, lastSeen: new Date().toISOString()}}))
    // The "sensor": reports the file on the second poll, as a separate process would.
    const deps = fakeDeps()
    const sleep = deps.sleep
    deps.sleep = async (ms) => {
      const [name] = readdirSync(dir)
      if (name && fake.alerts.length === 0) fake.raise(eicarAlert({fileName: name, filePath: join(dir, name), sha256: EICAR_SHA256}))
      await sleep(ms)
    }

    const verdict = await runEicarCheck(fake.backend, {...base, device: 'web-01', dir}, deps)
    expect(fake.submitted).toEqual([])
    expect(verdict).toMatchObject({outcome: 'alert-seen', reportedBy: 'live-sensor', polls: 2})
    await expect(runEicarCheck(fake.backend, {...base, device: 'web-01'}, fakeDeps())).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/live sensor/)})
  })

  it('--path that is a file is a usage error, and nothing is submitted', async () => {
    const fake = fakeBackend(healthy())
    const file = join(dir, 'not-a-dir')
    writeFileSync(file, 'x')
    await expect(runEicarCheck(fake.backend, {...base, device: 'web-01', dir: file}, fakeDeps())).rejects.toMatchObject({exitCode: 2})
    expect(fake.submitted).toEqual([])
  })

  it('DT2: test-alert without --run/--wait only returns the procedure', async () => {
    const fake = fakeBackend(null)
    const result = await runTestAlertCheck(fake.backend, {profile: 'p', os: 'linux', run: false, wait: false, timeoutMs: 1000}, fakeDeps())
    expect(result.verdict).toBeNull()
    expect(result.procedure.title).toBe('Enumeration of files with sensitive data')
  })

  it.each([
    ['windows', '[TestAlert] Suspicious PowerShell CommandLine', 'Informational'],
    ['linux', 'Enumeration of files with sensitive data', 'Low'],
    ['macos', 'macOS EDR Test Alert', 'Informational'],
  ] as const)('DT2/DC8: --run on %s raises "%s" (%s)', async (os, title, severity) => {
    const fake = fakeBackend(healthy({osFamily: os}))
    const {verdict} = await runTestAlertCheck(fake.backend, {profile: 'p', os, device: 'web-01', run: true, wait: false, timeoutMs: 1000}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'alert-seen', exitCode: 0, reportedBy: 'atpctl'})
    expect(verdict!.alert).toMatchObject({title, severity})
  })

  it('DT2: --wait with nobody performing the procedure times out (exit 10)', async () => {
    const fake = fakeBackend(healthy())
    const {verdict} = await runTestAlertCheck(fake.backend, {profile: 'p', os: 'windows', device: 'web-01', run: false, wait: true, timeoutMs: 5000}, fakeDeps())
    expect(verdict).toMatchObject({outcome: 'timeout', exitCode: 10, reportedBy: 'manual'})
  })

  it('DT2: a test alert for the wrong OS is a usage error', async () => {
    const fake = fakeBackend(healthy({osFamily: 'linux'}))
    await expect(runTestAlertCheck(fake.backend, {profile: 'p', os: 'windows', device: 'web-01', run: true, wait: false, timeoutMs: 1000}, fakeDeps())).rejects.toMatchObject({exitCode: 2})
  })
})
