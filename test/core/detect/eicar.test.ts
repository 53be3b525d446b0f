import {createHash} from 'node:crypto'
import {EICAR_LENGTH, EICAR_SHA256, eicarAlert, eicarBytes, eicarString, judgeEicar} from '../../../src/core/detect/eicar.js'

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const withSuffix = (suffix: string | Buffer) => Buffer.concat([eicarBytes(), Buffer.isBuffer(suffix) ? suffix : Buffer.from(suffix, 'latin1')])

describe('EICAR judge (SPEC DT1, REFERENCE §6.1)', () => {
  it('DT1: the bare string is 68 printable ASCII bytes whose SHA-256 is the documented one', () => {
    // Given the string built at run time from two halves
    const bytes = eicarBytes()
    // Then it has the standard length, hash and third character (capital O, not zero)
    expect(bytes).toHaveLength(EICAR_LENGTH)
    expect(sha256(bytes)).toBe('275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f')
    expect(EICAR_SHA256).toBe(sha256(bytes))
    expect(eicarString()[2]).toBe('O')
    expect([...bytes].every((b) => b >= 0x21 && b <= 0x7e)).toBe(true)
    expect(judgeEicar(bytes)).toEqual({match: true, sha256: EICAR_SHA256, size: 68})
  })

  it('DT1: trailing whitespace (space, tab, CR, LF, Ctrl-Z) up to 128 bytes in total matches', () => {
    expect(judgeEicar(withSuffix('\n')).match).toBe(true)
    expect(judgeEicar(withSuffix('\n')).sha256).toBe('131f95c51cc819465fa1797f6ccacf9d494aaaff46fa3eac73ae63ffbdfd8267')
    const crlf = judgeEicar(withSuffix('\r\n'))
    expect(crlf.match).toBe(true)
    expect(crlf.sha256).toBe('8b3f191819931d1f2cef7289239b5f77c00b079847b9c2636e56854d1e5eff71')
    expect(judgeEicar(withSuffix(' \t\x1a\r\n')).match).toBe(true)
    const full = withSuffix(' '.repeat(128 - 68))
    expect(full).toHaveLength(128)
    expect(judgeEicar(full).match).toBe(true)
  })

  it('DT1: 129 bytes is too long even if all trailing bytes are whitespace', () => {
    const judgement = judgeEicar(withSuffix(' '.repeat(129 - 68)))
    expect(judgement.match).toBe(false)
    expect(judgement).toMatchObject({size: 129})
    if (!judgement.match) expect(judgement.reason).toMatch(/at most 128/)
  })

  it('DT1: a leading byte (even whitespace) breaks the "string at offset 0" rule', () => {
    for (const lead of [' ', '\n', '\uFEFF', 'A']) {
      const judgement = judgeEicar(Buffer.concat([Buffer.from(lead, 'utf8'), eicarBytes()]))
      expect(judgement.match).toBe(false)
    }
  })

  it('DT1: lower case, a truncated string and a non-whitespace suffix do not match', () => {
    expect(judgeEicar(Buffer.from(eicarString().toLowerCase(), 'latin1')).match).toBe(false)
    expect(judgeEicar(eicarBytes().subarray(0, 67)).match).toBe(false)
    const suffixed = judgeEicar(withSuffix(' x'))
    expect(suffixed.match).toBe(false)
    if (!suffixed.match) expect(suffixed.reason).toMatch(/byte 69 \(0x78\)/)
    expect(judgeEicar(withSuffix('\0')).match).toBe(false)
    expect(judgeEicar(Buffer.alloc(0)).match).toBe(false)
  })

  it('DT1: the string buried in a larger file is not a detection', () => {
    expect(judgeEicar(withSuffix('\n' + 'padding '.repeat(20))).match).toBe(false)
  })

  it('TP5: the alert names Virus:DOS/EICAR_Test_File with the file as evidence', () => {
    const alert = eicarAlert({fileName: 'x.com', filePath: '/tmp/x.com', sha256: EICAR_SHA256})
    expect(alert.title).toBe("'EICAR_Test_File' malware was prevented")
    expect(alert.threatName).toBe('Virus:DOS/EICAR_Test_File')
    expect(alert.evidence).toEqual([{entityType: 'File', fileName: 'x.com', filePath: '/tmp/x.com', sha256: EICAR_SHA256, processCommandLine: null, detectionStatus: 'Prevented'}])
  })
})
