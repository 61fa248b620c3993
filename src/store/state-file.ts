/**
 * `state.json` and its last good copy on disk: reading them with the fallback from one to
 * the other (and saying what was recovered), and writing them both. Also the small file
 * helpers the store's loading shares (read JSON, set an unreadable file aside).
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { Logger } from '../log.js';
import { errorText } from '../shared/errors.js';
import { AtomicJsonFile, type FileWriter, renameFile } from './atomic-file.js';
import { emptyState, parseState, type StateDocument } from './state.js';
import type { NewAuditEvent } from './types.js';

export const STATE_FILE = 'state.json';
export const STATE_LAST_GOOD_FILE = 'state.last-good.json';

export interface LoadedState {
  doc: StateDocument;
  /** What to record in the audit trail about the loading (a restore, a reset). */
  recorded: NewAuditEvent[];
  /** The files on disk should be rewritten (something was restored or dropped). */
  needsWrite: boolean;
}

/**
 * Reads the state record by record. An unreadable `state.json` is moved aside and the state
 * restored from the last good copy (logged and recorded); with both unreadable the state
 * starts empty (also logged and recorded).
 */
export async function loadStateFile(dir: string, logger: Logger, now: () => Date): Promise<LoadedState> {
  const stateFile = join(dir, STATE_FILE);
  const lastGoodFile = join(dir, STATE_LAST_GOOD_FILE);
  const result: LoadedState = { doc: emptyState(), recorded: [], needsWrite: false };
  const accept = (raw: unknown, file: string): StateDocument => {
    const parsed = parseState(raw);
    if (parsed === null) return emptyState();
    if (parsed.dropped.length > 0) {
      logger.error(
        { file, dropped: parsed.dropped },
        `dropped ${parsed.dropped.length} unreadable record(s) from ${file}; the others were kept`,
      );
      result.needsWrite = true;
    }
    return parsed.doc;
  };

  const main = await readJson(stateFile);
  if (main.kind === 'ok') {
    result.doc = accept(main.value, stateFile);
    return result;
  }
  const backup = await readJson(lastGoodFile);
  if (main.kind === 'missing') {
    // A first start, or a file deleted by hand while its copy is still there.
    if (backup.kind === 'ok') {
      result.doc = accept(backup.value, lastGoodFile);
      result.needsWrite = true;
      logger.warn(
        { file: stateFile },
        `the state file was missing; restored it from ${STATE_LAST_GOOD_FILE}`,
      );
    }
    return result;
  }
  const movedTo = await setAside(stateFile, now);
  result.needsWrite = true;
  if (backup.kind === 'ok') {
    result.doc = accept(backup.value, lastGoodFile);
    logger.error(
      { file: stateFile, problem: main.problem, moved_to: movedTo },
      `the state file was unreadable (${main.problem}); moved it to ${movedTo} and restored the lists and heal records from ${STATE_LAST_GOOD_FILE}`,
    );
    result.recorded.push({
      event_type: 'config_change',
      status: 'store_restored',
      message: `The state file was unreadable (${main.problem}); it was moved to ${movedTo} and the lists and heal records were restored from the last good copy`,
      details: { moved_to: movedTo, restored_from: lastGoodFile },
    });
  } else {
    logger.error(
      { file: stateFile, problem: main.problem, moved_to: movedTo },
      `the state file and its last good copy were unreadable (${main.problem}); moved it to ${movedTo} and started with empty lists and heal records`,
    );
    result.recorded.push({
      event_type: 'config_change',
      status: 'store_reset',
      message: `The state file and its last good copy were unreadable (${main.problem}); it was moved to ${movedTo} and the lists and heal records start empty`,
      details: { moved_to: movedTo },
    });
  }
  return result;
}

/** The state file, then its last good copy: whichever a crash interrupts, the other is whole. */
export async function saveStateFile(dir: string, state: StateDocument, writer: FileWriter): Promise<void> {
  for (const name of [STATE_FILE, STATE_LAST_GOOD_FILE]) {
    const low = new Low<StateDocument>(new AtomicJsonFile(join(dir, name), writer), emptyState());
    low.data = state;
    await low.write();
  }
}

export type JsonRead =
  | { kind: 'ok'; value: unknown }
  | { kind: 'missing' }
  | { kind: 'bad'; problem: string };

/** Reads a JSON object; a file that is not one is `bad` (with why), never an exception. */
export async function readJson(file: string): Promise<JsonRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf-8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new Error(`cannot read ${file}: ${errorText(error)}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return {
        kind: 'bad',
        problem: value === null ? 'it holds null instead of an object' : 'it is not an object',
      };
    }
    return { kind: 'ok', value };
  } catch (error) {
    return { kind: 'bad', problem: `not valid JSON: ${errorText(error)}` };
  }
}

/** Moves an unreadable file aside (kept for a person to inspect); returns the new name. */
export async function setAside(file: string, now: () => Date): Promise<string> {
  const movedTo = `${file}.corrupt-${now().toISOString().replace(/:/g, '-')}`;
  try {
    await renameFile(file, movedTo);
  } catch (error) {
    // Starting fresh here would overwrite the old file at the first write.
    throw new Error(`the file ${file} is unreadable and cannot be moved aside: ${errorText(error)}`);
  }
  return movedTo;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
