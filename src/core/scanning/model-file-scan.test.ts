// The pickle scanner on real pickles and archives written by Python's own pickle and zipfile modules
// (python3 is a test tool: skipped locally without it, required under CI=true).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../../test/support/tools.js';
import { pickleGlobals } from './pickle-globals.js';
import { scanModelFile, type FileScan } from './model-file-scan.js';

const python = toolAvailable('python3');
const MAKE = String.raw`
import collections, io, os, pickle, random, sys, zipfile
out = sys.argv[1]
class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))
class Thing:
    pass
def write(name, data):
    open(os.path.join(out, name), 'wb').write(data)
for proto in range(0, 6):
    write(f'evil-p{proto}.pkl', pickle.dumps({'weights': [1, 2], 'x': Evil()}, protocol=proto))
    write(f'safe-p{proto}.pkl', pickle.dumps(collections.OrderedDict(a=collections.OrderedDict(), b=collections.defaultdict(list)), protocol=proto))
write('thing.pkl', pickle.dumps(Thing(), protocol=4))
write('truncated.pkl', pickle.dumps(collections.OrderedDict(a=1), protocol=4)[:-5])
head = pickle.dumps(collections.OrderedDict(a=1), protocol=4)
for seed in range(300):
    write(f'tail-{seed}.joblib', head + random.Random(seed).randbytes(4096))
write('junk-tail.joblib', head + b'cnot a\nmodule\n\x8c\x01x\x93\xff' + bytes(100))
write('evil-tail-p0.joblib', head + b"cos\nsystem\n(S'echo pwned'\ntR")
write('evil-tail-p2.pkl', head + pickle.dumps(Evil(), protocol=2))
checkpoint = b'\x80\x02ctorch._utils\n_rebuild_tensor_v2\nq\x00ccollections\nOrderedDict\nq\x01)Rq\x02.'
for name, method, data in [('torch.pt', zipfile.ZIP_STORED, checkpoint), ('evil.bin', zipfile.ZIP_DEFLATED, pickle.dumps(Evil(), protocol=2))]:
    with zipfile.ZipFile(os.path.join(out, name), 'w', compression=method) as z:
        z.writestr('archive/data.pkl', data)
        z.writestr('archive/data/0', os.urandom(1000))
        z.writestr('archive/version', '3')
with zipfile.ZipFile(os.path.join(out, 'big.pth'), 'w', allowZip64=True) as z:
    with z.open('archive/data.pkl', 'w', force_zip64=True) as f:
        f.write(checkpoint)
write('weights.bin', b'GGML' + os.urandom(100))
`;

let dir: string;
const scan = async (name: string): Promise<FileScan | null> => {
  const bytes = readFileSync(join(dir, name));
  return scanModelFile(name, bytes.length, async (into, position) => bytes.copy(into, 0, position, position + into.length));
};

describe.runIf(python)('model file scanner', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-pickles-'));
    execFileSync('python3', ['-c', MAKE, dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds os.system in a malicious pickle of every protocol, 0 to 5', async () => {
    for (let proto = 0; proto <= 5; proto++) {
      const result = await scan(`evil-p${proto}.pkl`);
      expect(result?.status, `protocol ${proto}`).toBe('dangerous');
      expect(result?.findings).toContainEqual({ module: 'posix', name: 'system', severity: 'dangerous' });
    }
  });

  it('passes pickles of what checkpoints normally hold, resolving STACK_GLOBAL through the memo', async () => {
    for (let proto = 0; proto <= 5; proto++) {
      const bytes = readFileSync(join(dir, `safe-p${proto}.pkl`));
      expect(pickleGlobals(bytes).globals.map((g) => `${g.module}.${g.name}`)).toContain('collections.OrderedDict');
      expect(await scan(`safe-p${proto}.pkl`), `protocol ${proto}`).toEqual({ path: `safe-p${proto}.pkl`, status: 'clean', findings: [] });
    }
  });

  it('calls imports outside the expected ones suspicious, and says when a pickle is broken', async () => {
    expect(await scan('thing.pkl')).toMatchObject({ status: 'suspicious', findings: [{ module: '__main__', name: 'Thing', severity: 'suspicious' }] });
    expect(await scan('truncated.pkl')).toMatchObject({ status: 'error', error: expect.stringMatching(/truncated|no STOP/) });
  });

  it('takes data after a complete pickle for data, unless it is a further pickle or names a dangerous import', async () => {
    const tails = [];
    for (let seed = 0; seed < 300; seed++) tails.push((await scan(`tail-${seed}.joblib`))?.status);
    expect(new Set(tails)).toEqual(new Set(['clean']));
    expect(await scan('junk-tail.joblib')).toEqual({ path: 'junk-tail.joblib', status: 'clean', findings: [] });
    expect(await scan('evil-tail-p0.joblib')).toMatchObject({ status: 'dangerous', findings: [{ module: 'os', name: 'system' }] });
    expect(await scan('evil-tail-p2.pkl')).toMatchObject({ status: 'dangerous', findings: [{ module: 'posix', name: 'system' }] });
  });

  it('reads the pickles inside PyTorch ZIP checkpoints, stored, deflated and ZIP64', async () => {
    expect(await scan('torch.pt')).toEqual({ path: 'torch.pt', status: 'clean', findings: [] });
    expect(await scan('big.pth')).toMatchObject({ status: 'clean' });
    expect(await scan('evil.bin')).toMatchObject({ status: 'dangerous', findings: [{ module: 'posix', name: 'system', entry: 'archive/data.pkl' }] });
  });

  it('leaves files that hold no pickle alone', async () => {
    expect(await scan('weights.bin')).toBeNull();
    const bytes = Buffer.from('{"safetensors": true}');
    expect(await scanModelFile('model.safetensors', bytes.length, async (into, p) => bytes.copy(into, 0, p))).toBeNull();
    const tiny = Buffer.from([0x80, 0x02]);
    expect(await scanModelFile('tiny.pt', 2, async (into, p) => tiny.copy(into, 0, p))).toMatchObject({ status: 'error' });
  });
});

describe('pickle walk without Python', () => {
  it('treats a STACK_GLOBAL whose operands are not plain strings as dangerous', async () => {
    const hidden = Buffer.from([0x80, 0x04, 0x4b, 0x01, 0x4b, 0x02, 0x93, 0x2e]);
    expect(pickleGlobals(hidden)).toEqual({ globals: [{ module: '?', name: '?' }] });
    expect(await scanModelFile('x.pkl', hidden.length, async (into, p) => hidden.copy(into, 0, p))).toMatchObject({ status: 'dangerous' });
  });

  it('reports garbage and truncation as errors instead of throwing', () => {
    expect(pickleGlobals(Buffer.from('\xffnot a pickle', 'latin1')).error).toMatch(/unknown opcode 0xff at byte 1/);
    expect(pickleGlobals(Buffer.from([0x80, 0x04, 0x8c, 0x10, 0x61])).error).toMatch(/truncated data/);
    expect(pickleGlobals(Buffer.from('cos\nsys', 'latin1')).error).toMatch(/without its newline/);
  });
});
