#!/usr/bin/env node
// `atpctl --version` is called by scripts and CI to probe the tool; loading @oclif/core alone
// costs about twice Node's own start-up, so answer it directly, in oclif's exact format.
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const {readFileSync} = await import('node:fs')
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.oclif.bin}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // oclif checks Node against its own `engines` with semver, loaded for that alone (about 20 ms
  // of every command); atpctl checks its own floor (package.json engines) without it.
  process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
  if (Number(process.versions.node.split('.')[0]) < 20) process.emitWarning(`atpctl needs Node.js 20 or later; this is ${process.version}.`)
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
