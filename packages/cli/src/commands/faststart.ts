/**
 * `kiln faststart IN OUT`: writes IN's fast-start view to OUT (ftyp, the moov with its chunk
 * offsets moved, then the media), reading IN by range as a worker reads object storage.
 * Exit codes: 0 written; 1 IN is not a usable MP4/MOV (the typed error is printed); 2 bad usage.
 */
import { SourceErrors, writeFastStartFile } from '@kiln/worker/source';

const USAGE = 'usage: kiln faststart IN OUT';

export interface FaststartCommandIo {
  readonly stderr: { write(text: string): unknown };
}

export async function faststartCommand(args: string[], io: FaststartCommandIo = process): Promise<number> {
  const [input, output, ...extra] = args;
  if (input === undefined || output === undefined || extra.length > 0 || input === output) {
    io.stderr.write(`${USAGE}\n${input !== undefined && input === output ? 'IN and OUT must differ\n' : ''}`);
    return 2;
  }
  try {
    const { view, opened } = await writeFastStartFile(input, output);
    const what = view.plan.relocated ? `moved the moov (${view.moovSize} → ${view.viewMoovSize} bytes) to the front` : 'already fast-start: copied as it is';
    io.stderr.write(`kiln faststart: ${what}; [${view.layout.join(' ')}]; opened with ${opened.reads} reads (${opened.bytes} bytes)\n`);
    return 0;
  } catch (error) {
    if (!SourceErrors.is(error)) throw error;
    io.stderr.write(`kiln faststart: ${error.code}: ${error.message}\n`);
    return 1;
  }
}
