/** FlowRegistry: versions, the last good version serving, removed files, duplicate ids, frozen flows. */
import { describe, expect, it } from 'vitest';
import { FlowRegistry, type FlowReader } from '../../src/ivr/flow/index.ts';

/** A folder in memory. */
function memory(files: Record<string, string>): FlowReader & { files: Record<string, string> } {
  return {
    files,
    list: async () => Object.keys(files),
    read: async (path) => {
      const name = path.split('/').pop()!;
      const text = files[name];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return Buffer.from(text);
    },
  };
}

const flow = (id: string, text = 'hello'): string => `id: ${id}
languages: [en-US]
start: a
prompts:
  hi: { en-US: ${text} }
nodes:
  a:
    type: hangup
    prompt: hi
`;

describe('FlowRegistry', () => {
  it('loads every flow file of a folder (yaml, yml, json; other files ignored), version 1', async () => {
    let t = 1000;
    const reg = new FlowRegistry({ reader: memory({ 'main.yaml': flow('main'), 'b.yml': flow('b'), 'c.json': JSON.stringify({ id: 'c', languages: ['en-US'], start: 'a', prompts: {}, nodes: { a: { type: 'hangup' } } }), 'README.md': '#' }), now: () => t++ });
    expect(await reg.loadDir('flows')).toEqual({ changed: ['b', 'c', 'main'], refused: [], removed: [] });
    expect(reg.list()).toEqual([
      { id: 'b', file: 'flows/b.yml', version: 1, status: 'ok', problems: [], loadedAt: 1000 },
      { id: 'c', file: 'flows/c.json', version: 1, status: 'ok', problems: [], loadedAt: 1001 },
      { id: 'main', file: 'flows/main.yaml', version: 1, status: 'ok', problems: [], loadedAt: 1002 },
    ]);
    expect(reg.get('main')?.def.prompts.hi).toEqual({ 'en-US': 'hello' });
    expect(reg.get('nope')).toBeUndefined();
  });

  it('a changed file gets version + 1; an unchanged one keeps its version and object', async () => {
    const dir = memory({ 'main.yaml': flow('main'), 'b.yaml': flow('b') });
    const reg = new FlowRegistry({ reader: dir });
    await reg.loadDir('flows');
    const b1 = reg.get('b');
    const v1 = reg.get('main')!;
    dir.files['main.yaml'] = flow('main', 'hello again');
    expect(await reg.reload()).toEqual({ changed: ['main'], refused: [], removed: [] });
    const v2 = reg.get('main')!;
    expect(v2.version).toBe(2);
    expect(v2.hash).not.toBe(v1.hash);
    expect(reg.get('b')).toBe(b1);
    // A call that entered with version 1 still has it, unchanged.
    expect(v1.version).toBe(1);
    expect(v1.def.prompts.hi).toEqual({ 'en-US': 'hello' });
  });

  it('a broken file is refused with its problems and the last good version keeps serving; mended, it is the next version', async () => {
    const dir = memory({ 'main.yaml': flow('main') });
    const reg = new FlowRegistry({ reader: dir, now: () => 5 });
    await reg.loadDir('flows');
    const good = reg.get('main');
    dir.files['main.yaml'] = flow('main').replace('type: hangup', 'type: hangpu');
    expect(await reg.reload()).toEqual({ changed: [], refused: ['main'], removed: [] });
    expect(reg.get('main')).toBe(good);
    const [status] = reg.list();
    expect(status).toMatchObject({ id: 'main', version: 1, status: 'error', loadedAt: 5 });
    expect(status!.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.code}`)).toEqual(['flows/main.yaml:8:11 SCHEMA']);
    dir.files['main.yaml'] = flow('main', 'mended');
    expect(await reg.reload()).toEqual({ changed: ['main'], refused: [], removed: [] });
    expect(reg.list()[0]).toMatchObject({ version: 2, status: 'ok', problems: [] });
  });

  it('a broken file put back as it was serves again as the same version', async () => {
    const dir = memory({ 'main.yaml': flow('main') });
    const reg = new FlowRegistry({ reader: dir });
    await reg.loadDir('flows');
    dir.files['main.yaml'] = 'id: main\n  broken: [';
    await reg.reload();
    dir.files['main.yaml'] = flow('main');
    expect(await reg.reload()).toEqual({ changed: [], refused: [], removed: [] });
    expect(reg.list()[0]).toMatchObject({ version: 1, status: 'ok' });
  });

  it('a flow broken from the start is listed with its problems and no version', async () => {
    const reg = new FlowRegistry({ reader: memory({ 'main.yaml': '- a list\n' }) });
    expect(await reg.loadDir('flows')).toEqual({ changed: [], refused: ['main'], removed: [] });
    expect(reg.list()).toEqual([{ id: 'main', file: 'flows/main.yaml', version: null, status: 'error', problems: [expect.objectContaining({ code: 'NOT_A_MAPPING' })], loadedAt: null }]);
    expect(reg.get('main')).toBeUndefined();
  });

  it('a removed file keeps serving its last version, marked removed; back, it serves as before', async () => {
    const dir = memory({ 'main.yaml': flow('main') });
    const reg = new FlowRegistry({ reader: dir });
    await reg.loadDir('flows');
    const v1 = reg.get('main');
    const text = dir.files['main.yaml']!;
    delete dir.files['main.yaml'];
    expect(await reg.reload()).toEqual({ changed: [], refused: [], removed: ['main'] });
    expect(reg.get('main')).toBe(v1);
    expect(reg.list()[0]).toMatchObject({ id: 'main', version: 1, status: 'removed' });
    expect(await reg.reload()).toEqual({ changed: [], refused: [], removed: [] });
    dir.files['main.yaml'] = text;
    await reg.reload();
    expect(reg.list()[0]).toMatchObject({ version: 1, status: 'ok' });
  });

  it('two files with the same id: the second (in name order) is refused, the first serves', async () => {
    const dir = memory({ 'main.yaml': flow('main'), 'main.json': JSON.stringify({ id: 'main', languages: ['en-US'], start: 'a', prompts: {}, nodes: { a: { type: 'hangup' } } }) });
    const reg = new FlowRegistry({ reader: dir });
    expect(await reg.loadDir('flows')).toEqual({ changed: ['main'], refused: ['main'], removed: [] });
    expect(reg.get('main')?.file).toBe('flows/main.json');
    expect(reg.list()).toEqual([
      { id: 'main', file: 'flows/main.json', version: 1, status: 'ok', problems: [], loadedAt: expect.any(Number) },
      {
        id: 'main',
        file: 'flows/main.yaml',
        version: null,
        status: 'error',
        problems: [{ file: 'flows/main.yaml', line: 1, column: 1, code: 'DUPLICATE_ID', severity: 'error', message: 'flow "main" is already defined by flows/main.json: one file per flow' }],
        loadedAt: null,
      },
    ]);
    delete dir.files['main.yaml'];
    await reg.reload();
    expect(reg.list()).toHaveLength(1);
  });

  it('a published flow is deeply frozen', async () => {
    const reg = new FlowRegistry({ reader: memory({ 'main.yaml': flow('main') }) });
    await reg.loadDir('flows');
    const f = reg.get('main')!;
    expect(Object.isFrozen(f)).toBe(true);
    expect(Object.isFrozen(f.def.nodes.a)).toBe(true);
    expect(Object.isFrozen(f.def.prompts.hi)).toBe(true);
    expect(() => {
      (f.def.nodes as Record<string, unknown>).b = {};
    }).toThrow(TypeError);
  });

  it('a file that cannot be read is refused with READ_ERROR', async () => {
    const dir = memory({ 'main.yaml': flow('main') });
    dir.read = async () => {
      throw new Error('EACCES: permission denied');
    };
    const reg = new FlowRegistry({ reader: dir });
    await reg.loadDir('flows');
    expect(reg.list()[0]!.problems).toEqual([{ file: 'flows/main.yaml', line: 1, column: 1, code: 'READ_ERROR', severity: 'error', message: 'cannot read the file: EACCES: permission denied' }]);
  });
});
