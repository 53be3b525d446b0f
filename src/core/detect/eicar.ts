import {createHash} from 'node:crypto'

/**
 * The EICAR anti-malware test file (SPEC DT1, REFERENCE §6.1). The string is assembled at run
 * time from two halves so that no file of this source tree (nor the built JavaScript) is itself
 * an EICAR file that a scanner on a developer's machine would quarantine.
 */
const HALF_A = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$'
const HALF_B = 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'

/** Length of the bare test string. */
export const EICAR_LENGTH = 68
/** A valid EICAR file is at most this many bytes, the string plus trailing whitespace. */
export const EICAR_MAX_FILE_BYTES = 128
/** SHA-256 of the bare 68-byte string (SPEC DT1). */
export const EICAR_SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f'
/** How Microsoft Defender names the detection. */
export const EICAR_THREAT_NAME = 'Virus:DOS/EICAR_Test_File'
export const EICAR_THREAT_FAMILY = 'EICAR_Test_File'

/** The 68-byte test string. */
export function eicarString(): string {
  return HALF_A + HALF_B
}

/** The bytes `detect eicar` writes: the bare string (its SHA-256 is EICAR_SHA256). */
export function eicarBytes(): Buffer {
  return Buffer.from(eicarString(), 'latin1')
}

/** Whitespace the standard allows after the string: space, tab, LF, CR and Ctrl-Z. */
const TRAILING_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x1a])

export type EicarJudgement =
  | {match: true; sha256: string; size: number}
  | {match: false; sha256: string; size: number; reason: string}

/**
 * Judges file content by the EICAR standard: the 68-byte string at offset 0, followed only by
 * whitespace, at most 128 bytes in total. Anything else is not a detection (no lower case, no
 * leading byte, no string buried in a larger file).
 */
export function judgeEicar(content: Uint8Array): EicarJudgement {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const size = bytes.length
  const no = (reason: string): EicarJudgement => ({match: false, sha256, size, reason})
  if (size > EICAR_MAX_FILE_BYTES) return no(`file is ${size} bytes; an EICAR file is at most ${EICAR_MAX_FILE_BYTES}`)
  if (size < EICAR_LENGTH) return no(`file is ${size} bytes; shorter than the ${EICAR_LENGTH}-byte test string`)
  if (!bytes.subarray(0, EICAR_LENGTH).equals(eicarBytes())) return no('the file does not start with the EICAR test string')
  for (let i = EICAR_LENGTH; i < size; i++) {
    if (!TRAILING_WHITESPACE.has(bytes[i])) return no(`byte ${i} (0x${bytes[i].toString(16).padStart(2, '0')}) after the test string is not whitespace`)
  }

  return {match: true, sha256, size}
}

/** The alert a matching file raises (REFERENCE §6.1: Defender names it Virus:DOS/EICAR_Test_File). */
export function eicarAlert(file: {fileName: string; filePath: string; sha256: string}): import('../alert/types.js').NewAlert {
  return {
    title: `'${EICAR_THREAT_FAMILY}' malware was prevented`,
    description: `Malware '${EICAR_THREAT_NAME}' was detected in ${file.filePath} and prevented from running. EICAR is a harmless anti-malware test file.`,
    severity: 'Informational',
    category: 'Malware',
    detectionSource: 'WindowsDefenderAv',
    threatFamilyName: EICAR_THREAT_FAMILY,
    threatName: EICAR_THREAT_NAME,
    mitreTechniques: [],
    determination: 'SecurityTesting',
    evidence: [{entityType: 'File', fileName: file.fileName, filePath: file.filePath, sha256: file.sha256, processCommandLine: null, detectionStatus: 'Prevented'}],
  }
}

export const EICAR_ALERT_TITLE = `'${EICAR_THREAT_FAMILY}' malware was prevented`
