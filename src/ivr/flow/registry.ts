/**
 * The flows a daemon serves, with versions (shared/spec/ivr.md, "Flows"). Pure apart from reading
 * files through an injected reader, so that the daemon, the offline command and the tests share
 * it.
 *
 * - `loadDir(dir)` reads every `*.yaml|*.yml|*.json` in the folder (one flow per file, its id its
 *   file name: so main.yaml and main.json both claim `main`; the second in name order is refused
 *   with DUPLICATE_ID).
 * - `reload()` reads the folder again: a file whose bytes changed (sha256) and that loads gets
 *   version + 1; a file that no longer loads is refused with its problems and the last good
 *   version keeps serving (status `error`, `version` still the one serving); a removed file keeps
 *   serving its last version, marked `removed`.
 * - A published LoadedFlow is deeply frozen and never changed: a call holds the object it entered
 *   with, whatever is reloaded after.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flowIdOfFile, isFlowFileName, loadFlowBytes, readError } from './load.ts';
import { hasErrors, type FlowProblem } from './problems.ts';
import type { LoadedFlow } from './types.ts';

/** How the registry reads a folder: the real file system by default, a map in tests. */
export interface FlowReader {
  /** The names of the files in `dir` (not paths). */
  list(dir: string): Promise<string[]>;
  read(path: string): Promise<Uint8Array>;
}

export const fsFlowReader: FlowReader = {
  list: async (dir) => (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name),
  read: async (path) => readFile(path),
};

export type FlowStatusKind = 'ok' | 'error' | 'removed';

export interface FlowStatus {
  id: string;
  /** The file last read for this flow. */
  file: string;
  /** The version serving (the last good one); null when the flow never loaded. */
  version: number | null;
  /** ok: the file as it is now serves; error: the file is refused (an older version may serve);
   * removed: the file is gone (its last version still serves calls that hold it and new ones). */
  status: FlowStatusKind;
  /** The problems of the file as it is now (warnings too when it loaded). */
  problems: FlowProblem[];
  /** When the serving version was loaded (ms since the epoch); null when none serves. */
  loadedAt: number | null;
}

export interface ReloadSummary {
  /** Flows whose version changed (new or changed files that loaded). */
  changed: string[];
  /** Flows whose file is refused now. */
  refused: string[];
  /** Flows whose file disappeared. */
  removed: string[];
}

interface Entry {
  id: string;
  file: string;
  /** The hash of the file as last read (loaded or not). */
  hash: string;
  current: LoadedFlow | null;
  status: FlowStatusKind;
  problems: FlowProblem[];
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

export class FlowRegistry {
  private readonly entries = new Map<string, Entry>();
  private dir: string | undefined;
  private readonly reader: FlowReader;
  private readonly now: () => number;

  constructor(opts: { reader?: FlowReader; now?: () => number } = {}) {
    this.reader = opts.reader ?? fsFlowReader;
    this.now = opts.now ?? Date.now;
  }

  /** Read every flow file of `dir`, which is the folder `reload()` reads from then on. */
  async loadDir(dir: string): Promise<ReloadSummary> {
    this.dir = dir;
    return this.reload();
  }

  /** Read the folder again; what changed. A folder that cannot be listed throws (nothing changes). */
  async reload(): Promise<ReloadSummary> {
    const dir = this.dir;
    if (dir === undefined) throw new Error('FlowRegistry.reload: loadDir was never called');
    const names = (await this.reader.list(dir)).filter(isFlowFileName).sort();
    const summary: ReloadSummary = { changed: [], refused: [], removed: [] };
    const claimed = new Map<string, string>();
    for (const key of [...this.entries.keys()]) if (key.includes('\0')) this.entries.delete(key);
    for (const name of names) {
      const file = join(dir, name);
      const id = flowIdOfFile(name);
      const first = claimed.get(id);
      if (first !== undefined) {
        // Not this flow's file: its own entry is untouched; the duplicate is listed under its file.
        this.refuseDuplicate(id, file, first);
        summary.refused.push(id);
        continue;
      }
      claimed.set(id, file);
      let bytes: Uint8Array;
      try {
        bytes = await this.reader.read(file);
      } catch (err) {
        this.refuse(id, file, '', [readError(file, err)], summary);
        continue;
      }
      const result = loadFlowBytes(bytes, file);
      const entry = this.entries.get(id);
      if (!result.def || hasErrors(result.problems)) {
        this.refuse(id, file, result.hash, result.problems, summary);
        continue;
      }
      if (entry?.current && entry.current.hash === result.hash) {
        // The same content as the version serving: no new version.
        Object.assign(entry, { file, hash: result.hash, status: 'ok', problems: result.problems });
        continue;
      }
      const flow: LoadedFlow = deepFreeze({
        def: result.def,
        version: (entry?.current?.version ?? 0) + 1,
        file,
        hash: result.hash,
        loadedAt: this.now(),
      });
      this.entries.set(id, { id, file, hash: result.hash, current: flow, status: 'ok', problems: result.problems });
      summary.changed.push(id);
    }
    for (const [id, entry] of this.entries) {
      if (id.includes('\0')) continue;
      if (!claimed.has(id) && entry.status !== 'removed') {
        if (entry.current) {
          entry.status = 'removed';
          entry.problems = [];
          summary.removed.push(id);
        } else this.entries.delete(id);
      }
    }
    return summary;
  }

  private refuse(id: string, file: string, hash: string, problems: FlowProblem[], summary: ReloadSummary): void {
    const entry = this.entries.get(id);
    if (entry) Object.assign(entry, { file, hash, status: 'error', problems });
    else this.entries.set(id, { id, file, hash, current: null, status: 'error', problems });
    summary.refused.push(id);
  }

  private refuseDuplicate(id: string, file: string, first: string): void {
    const problem: FlowProblem = {
      file,
      line: 1,
      column: 1,
      code: 'DUPLICATE_ID',
      severity: 'error',
      message: `flow "${id}" is already defined by ${first}: one file per flow`,
    };
    // Listed under its own key (the id and the file), so the flow that serves is not touched.
    this.entries.set(`${id}\0${file}`, { id, file, hash: '', current: null, status: 'error', problems: [problem] });
  }

  /** The version serving for `id` (also when its file is now refused or removed). */
  get(id: string): LoadedFlow | undefined {
    return this.entries.get(id)?.current ?? undefined;
  }

  /** Every flow, by id then file. */
  list(): FlowStatus[] {
    return [...this.entries.values()]
      .map((e) => ({
        id: e.id,
        file: e.file,
        version: e.current?.version ?? null,
        status: e.status,
        problems: e.problems,
        loadedAt: e.current?.loadedAt ?? null,
      }))
      .sort((a, b) => (a.id === b.id ? (a.file < b.file ? -1 : 1) : a.id < b.id ? -1 : 1));
  }

  /** Every problem of every file as it is now (for logs and the offline command). */
  problems(): FlowProblem[] {
    return [...this.entries.values()].flatMap((e) => e.problems);
  }
}
