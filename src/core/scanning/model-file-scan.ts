// Judges one model file for code that runs when it is loaded: pickles (`.pkl`, `.joblib`, legacy
// `.bin`/`.pt`) and PyTorch ZIP checkpoints (`.pt`, `.pth`, `.bin`, `.ckpt`, whose `*.pkl` entries are
// pickles). Imports of known-dangerous callables (os, subprocess, eval, ...) make a file dangerous;
// imports outside a list of what model checkpoints normally need make it suspicious. Safetensors and
// GGUF hold no code and are not scanned. Lists follow picklescan's (mmaitre314/picklescan).
import { pickleGlobals, type PickleGlobal } from './pickle-globals.js';
import { zipEntries, zipEntryBytes, type ReadAt } from './zip-entries.js';

/** How bad a file is. */
export type ScanStatus = 'clean' | 'suspicious' | 'dangerous' | 'error';

/** An import a scanner objects to. */
export interface ScanFinding extends PickleGlobal {
  severity: 'dangerous' | 'suspicious';
  /** The pickle it was found in (an archive entry), when the file is an archive. */
  entry?: string | undefined;
}

/** The verdict on one file. */
export interface FileScan {
  path: string;
  status: ScanStatus;
  findings: ScanFinding[];
  error?: string | undefined;
}

/** Largest pickle read into memory. */
export const MAX_PICKLE_BYTES = 64 << 20;

const PICKLE_EXTENSIONS = /\.(pkl|pickle|joblib|dill|pt|pth|bin|ckpt|data)$/i;
const ALWAYS_PICKLE = /\.(pkl|pickle|joblib|dill)$/i;

/** Modules whose every member is dangerous, and single dangerous members. */
const DANGEROUS_MODULES = new Set(['os', 'posix', 'nt', 'subprocess', 'sys', 'socket', 'shutil', 'runpy', 'pty', 'commands', 'webbrowser', 'requests', 'aiohttp', 'httplib', 'http.client', 'urllib', 'urllib2', 'urllib.request', 'importlib', 'code', 'timeit', 'pdb', 'bdb', 'ctypes', 'multiprocessing', 'asyncio', 'platform', 'marshal', 'types', 'pip', 'setuptools', 'torch.hub', 'torch.serialization', 'dill']);
const DANGEROUS_MEMBERS: Record<string, ReadonlySet<string>> = {
  builtins: new Set(['eval', 'exec', 'execfile', 'compile', 'open', 'input', '__import__', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'breakpoint', 'apply', 'memoryview']),
  __builtin__: new Set(['eval', 'exec', 'execfile', 'compile', 'open', 'input', '__import__', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'breakpoint', 'apply']),
  pickle: new Set(['loads', 'load', 'Unpickler', '_loads', '_load']),
  _pickle: new Set(['loads', 'load', 'Unpickler']),
  operator: new Set(['attrgetter', 'methodcaller', 'itemgetter']),
  functools: new Set(['partial', 'reduce']),
  'numpy.testing._private.utils': new Set(['runstring']),
  'torch._inductor.codecache': new Set(['compile_file']),
};

/** What checkpoints normally import: modules whose every member is fine, and single members. */
const SAFE_MODULES = new Set(['torch', 'torch._utils', 'torch._tensor', 'torch.nn.parameter', 'torch.storage', 'torch.serialization._maybe_decode_ascii', 'numpy.core.multiarray', 'numpy._core.multiarray', 'numpy.dtypes']);
const SAFE_MEMBERS: Record<string, ReadonlySet<string>> = {
  collections: new Set(['OrderedDict', 'defaultdict', 'Counter', 'deque']),
  builtins: new Set(['set', 'frozenset', 'dict', 'list', 'tuple', 'slice', 'bytearray', 'bytes', 'complex', 'float', 'int', 'str', 'bool', 'range', 'object']),
  __builtin__: new Set(['set', 'frozenset', 'dict', 'list', 'tuple', 'slice', 'bytearray', 'complex', 'float', 'int', 'str', 'bool', 'object']),
  numpy: new Set(['ndarray', 'dtype', 'float32', 'float64', 'float16', 'int64', 'int32', 'int8', 'uint8', 'bool_', 'core']),
  _codecs: new Set(['encode']),
  copyreg: new Set(['_reconstructor']),
  copy_reg: new Set(['_reconstructor']),
  datetime: new Set(['datetime', 'date', 'timedelta', 'timezone']),
  'torch.serialization': new Set(['_get_layout']),
};

/** The severity of one import, or null when it is expected in a model checkpoint. */
export function judgeImport(g: PickleGlobal): ScanFinding['severity'] | null {
  const root = (m: string) => m.split('.')[0]!;
  if (g.module === '?') return 'dangerous';
  if (DANGEROUS_MEMBERS[g.module]?.has(g.name)) return 'dangerous';
  if (DANGEROUS_MODULES.has(g.module) || DANGEROUS_MODULES.has(root(g.module))) return SAFE_MEMBERS[g.module]?.has(g.name) ? null : 'dangerous';
  if (SAFE_MODULES.has(g.module) || SAFE_MEMBERS[g.module]?.has(g.name)) return null;
  return 'suspicious';
}

/** Whether a file's name says it may hold pickled code (read its first bytes to be sure). */
export function mayHoldPickles(path: string): boolean {
  return PICKLE_EXTENSIONS.test(path);
}

/** Scans one file of `size` bytes; null when it turns out to be neither a pickle nor a ZIP checkpoint. */
export async function scanModelFile(path: string, size: number, read: ReadAt): Promise<FileScan | null> {
  if (!mayHoldPickles(path) || size === 0) return null;
  const head = Buffer.alloc(Math.min(4, size));
  await read(head, 0);
  try {
    if (head.length === 4 && head.readUInt32LE(0) === 0x04034b50) return await scanArchive(path, size, read);
    // Protocol 2+ pickles start with PROTO; older ones only by name.
    if (head[0] !== 0x80 && !ALWAYS_PICKLE.test(path)) return null;
    if (size > MAX_PICKLE_BYTES) return { path, status: 'error', findings: [], error: `larger than ${MAX_PICKLE_BYTES} bytes; not scanned` };
    const bytes = Buffer.alloc(size);
    for (let done = 0; done < size; ) {
      const n = await read(bytes.subarray(done), done);
      if (n === 0) break;
      done += n;
    }
    return verdict(path, [{ walk: pickleGlobals(bytes) }]);
  } catch (err) {
    return { path, status: 'error', findings: [], error: (err as Error).message };
  }
}

async function scanArchive(path: string, size: number, read: ReadAt): Promise<FileScan> {
  const pickles = (await zipEntries(read, size)).filter((e) => /\.pkl$/i.test(e.name));
  const walks = [];
  for (const entry of pickles) walks.push({ entry: entry.name, walk: pickleGlobals(await zipEntryBytes(read, entry, MAX_PICKLE_BYTES)) });
  return verdict(path, walks);
}

function verdict(path: string, walks: Array<{ entry?: string; walk: ReturnType<typeof pickleGlobals> }>): FileScan {
  const findings: ScanFinding[] = [];
  const seen = new Set<string>();
  for (const { entry, walk } of walks) {
    // Unconfirmed imports (bytes after the last pickle that only look like one) count when they name a
    // known-dangerous callable outright; random data does not spell `os\nsystem`, but it does parse
    // into an unresolvable STACK_GLOBAL or an odd module now and then.
    const unconfirmed = (walk.unconfirmed ?? []).filter((g) => g.module !== '?' && judgeImport(g) === 'dangerous');
    for (const g of [...walk.globals, ...unconfirmed]) {
      const severity = judgeImport(g);
      const key = `${entry ?? ''}\0${g.module}\0${g.name}`;
      if (severity && !seen.has(key)) {
        seen.add(key);
        findings.push({ ...g, severity, ...(entry ? { entry } : {}) });
      }
    }
  }
  const error = walks.find((w) => w.walk.error)?.walk.error;
  const status: ScanStatus = findings.some((f) => f.severity === 'dangerous') ? 'dangerous' : findings.length > 0 ? 'suspicious' : error ? 'error' : 'clean';
  return { path, status, findings, ...(error ? { error } : {}) };
}
