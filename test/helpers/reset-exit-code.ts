// oclif's catch() sets process.exitCode; a green in-band run must still exit 0.
afterEach(() => {
  process.exitCode = undefined
})
