// Issue 2 targets: `atpctl --version` within 3x of `node -e 0`, `integration list --json` within 4x.
import {atpctl, run, tempHome, timeCommand} from '../lib.js'

export default async function startup() {
  const home = tempHome()
  run(home, ['init', '--location', 'us'])
  const node = timeCommand(process.execPath, ['-e', '0'], {runs: 15})
  const version = atpctl(home, ['--version'], {runs: 15})
  const list = atpctl(home, ['integration', 'list', '--json'], {runs: 15})
  const row = (name, value, target) => ({name, value, unit: 'ms', baseline: 'node -e 0', baselineValue: node, ratio: value / node, target: `<= ${target}x`, pass: value / node <= target})
  return [row('atpctl --version', version, 3), row('atpctl integration list --json', list, 4)]
}
