/** ISO/IEC 13818-1 2.4.4.3: program_association_section (table_id 0x00). */
import { invalid, ok, type ParseResult } from '../parse-result.js';
import { crc32Mpeg2 } from './section.js';

export interface PatProgram {
  readonly programNumber: number;
  readonly pmtPid: number;
}

export interface Pat {
  readonly transportStreamId: number;
  readonly version: number;
  /** Programs in section order; program_number 0 (the network PID) is left out. */
  readonly programs: readonly PatProgram[];
}

export const TABLE_ID_PAT = 0x00;

/** Checks what every long-form section shares: table_id, length, CRC, current_next. */
export function checkLongSection(section: Uint8Array, tableId: number): string | undefined {
  if (section.length < 12) return 'section shorter than its fixed fields';
  if (section[0] !== tableId) return `table_id ${section[0]} where ${tableId} was expected`;
  if ((section[1] & 0x80) === 0) return 'section_syntax_indicator is 0';
  if (crc32Mpeg2(section) !== 0) return 'CRC_32 mismatch';
  return undefined;
}

export function parsePat(section: Uint8Array): ParseResult<Pat> {
  const problem = checkLongSection(section, TABLE_ID_PAT);
  if (problem !== undefined) return invalid('PSI_INVALID', `PAT: ${problem}`);
  const loopEnd = section.length - 4; // CRC_32
  if ((loopEnd - 8) % 4 !== 0) return invalid('PSI_INVALID', 'PAT: program loop is not a multiple of 4 bytes');
  const programs: PatProgram[] = [];
  for (let i = 8; i < loopEnd; i += 4) {
    const programNumber = (section[i] << 8) | section[i + 1];
    const pid = ((section[i + 2] & 0x1f) << 8) | section[i + 3];
    if (programNumber !== 0) programs.push({ programNumber, pmtPid: pid });
  }
  return ok({
    transportStreamId: (section[3] << 8) | section[4],
    version: (section[5] >> 1) & 0x1f,
    programs,
  });
}
