import {spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PROJECT_ROOT} from '../helpers/cli.js'
import {requireTool} from '../helpers/tools.js'

// The examples are bash, and some read --json output with jq, as admins do.
const withShell = requireTool('bash', 'jq')

/**
 * The README's shell examples, run as written, in order, the way a new user follows them on a
 * fresh clone: `quickstart` first (the README's first line), then every block marked
 * `<!-- readme-test: run -->`, each as one bash script with `set -eo pipefail`, in a scratch
 * directory that holds the shipped sample inventory at the path the README names. Every ```sh
 * block must carry a marker, so a new example is either run here or skipped with a reason.
 */
interface Block {
  line: number
  marker: string
  script: string
}

function shellBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue
    let j = i + 1
    while (j < lines.length && lines[j].trim() !== '```') j++
    let k = i - 1
    while (k >= 0 && lines[k].trim() === '') k--
    const marker = /^<!-- readme-test: (.+?) -->$/.exec(lines[k]?.trim() ?? '')?.[1] ?? ''
    blocks.push({line: i + 1, marker, script: lines.slice(i + 1, j).join('\n')})
    i = j
  }

  return blocks
}

describe('README examples', () => {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8')
  const blocks = shellBlocks(readme)

  it('every shell block says whether this test runs it, and why not when it does not', () => {
    expect(blocks.length).toBeGreaterThan(5)
    for (const block of blocks) expect({line: block.line, marker: block.marker}).toEqual({line: block.line, marker: expect.stringMatching(/^(run|skip: .{10,})$/)})
  })

  withShell.it('runs every example marked run, as written, against the quickstart data and the shipped sample', () => {
    const work = mkdtempSync(join(tmpdir(), 'atpctl-readme-'))
    try {
      // `atpctl` on PATH (as `npm link` or `npm install -g` give), and ./bin/run.js as in a clone.
      const bin = join(work, 'bin')
      mkdirSync(bin)
      const shim = `#!/bin/sh\nexec "${process.execPath}" "${join(PROJECT_ROOT, 'bin', 'run.js')}" "$@"\n`
      for (const name of ['atpctl', 'run.js']) {
        writeFileSync(join(bin, name), shim)
        chmodSync(join(bin, name), 0o755)
      }

      mkdirSync(join(work, 'fixtures', 'inventory'), {recursive: true})
      copyFileSync(join(PROJECT_ROOT, 'fixtures', 'inventory', 'sample.csv'), join(work, 'fixtures', 'inventory', 'sample.csv'))
      const env = {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: work,
        ATPCTL_HOME: join(work, 'home'),
        NO_COLOR: '1',
        CI: 'true',
        RUNNER_DEVICE: 'QS-WIN10-01',
      }
      const run = (script: string, line: number) => {
        const result = spawnSync('bash', ['-c', `set -eo pipefail\n${script}`], {cwd: work, env, encoding: 'utf8', timeout: 120_000})
        if (result.status !== 0) {
          throw new Error(`README block at line ${line} exited ${result.status}:\n${script}\n--- stdout (end) ---\n${result.stdout.slice(-1500)}\n--- stderr (end) ---\n${result.stderr.slice(-1500)}`)
        }

        return result.stdout
      }

      run('atpctl quickstart >/dev/null', 0)
      const ran: number[] = []
      for (const block of blocks) {
        if (block.marker !== 'run') continue
        run(block.script, block.line)
        ran.push(block.line)
      }

      expect(ran.length).toBeGreaterThanOrEqual(5)
    } finally {
      rmSync(work, {recursive: true, force: true})
    }
  }, 600_000)
})
