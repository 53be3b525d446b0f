/** Zips built by Python's zipfile, independent of our writer: real-world and hostile layouts. */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'

export interface PyEntry {
  name: string
  data: string | Buffer
  /** Unix mode for external_attr (e.g. 0o120777 for a symlink). */
  mode?: number
  /** Store instead of deflate. */
  stored?: boolean
  /** Made on Windows (create_system 0), like the portal's zips. */
  windows?: boolean
}

const SCRIPT = `
import json, sys, zipfile, warnings, base64
warnings.simplefilter('ignore')
spec = json.load(open(sys.argv[1]))
with zipfile.ZipFile(spec['out'], 'w') as z:
    for e in spec['entries']:
        info = zipfile.ZipInfo(e['name'], date_time=(2024, 5, 1, 12, 0, 0))
        info.compress_type = zipfile.ZIP_STORED if e.get('stored') else zipfile.ZIP_DEFLATED
        if e.get('windows'):
            info.create_system = 0
        if e.get('mode') is not None:
            info.create_system = 3
            info.external_attr = e['mode'] << 16
        z.writestr(info, base64.b64decode(e['data']))
`

export function pyZip(out: string, entries: PyEntry[]): string {
  const spec = `${out}.spec.json`
  writeFileSync(
    spec,
    JSON.stringify({out, entries: entries.map((e) => ({...e, data: Buffer.from(e.data).toString('base64')}))}),
  )
  execFileSync('python3', ['-c', SCRIPT, spec])
  return out
}
