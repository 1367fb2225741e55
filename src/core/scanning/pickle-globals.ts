// Finds what a pickle would import, without running it: a walk over the opcode stream (protocols
// 0-5) that records every GLOBAL, INST and STACK_GLOBAL (resolving its module and name from the
// strings pushed before it, memo included). Loading a pickle calls whatever it imports, so these
// imports are what a scanner judges. Several pickles back to back (joblib) are read in turn.
// https://github.com/python/cpython/blob/3.12/Lib/pickletools.py  (opcode table)
// https://github.com/mmaitre314/picklescan  (the same approach, in Python)

/** One import a pickle makes; `module` is '?' when a STACK_GLOBAL's operands could not be resolved. */
export interface PickleGlobal {
  module: string;
  name: string;
}

/** What a walk found. */
export interface PickleWalk {
  globals: PickleGlobal[];
  /** Set when the stream ended early or held an unknown opcode; the globals before it are still listed. */
  error?: string;
  /**
   * Imports read from bytes after the last complete pickle that neither start with PROTO nor reach a
   * STOP: usually raw data (legacy torch storages, joblib arrays) that happens to parse for a few
   * opcodes, but a loader reading a further pickle would run them, so a judge weighs them apart.
   */
  unconfirmed?: PickleGlobal[];
}

type Arg = 'none' | 'line' | 'lines2' | { fixed: number } | { lengthBytes: 1 | 4 | 8 };

const ARGS: Record<number, Arg> = {};
const set = (ops: string, arg: Arg) => {
  for (const op of ops) ARGS[op.charCodeAt(0)] = arg;
};
set('(.012NQRabdelostu]})\x81\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x97\x98', 'none');
set('FILPSVgp', 'line');
set('ci', 'lines2');
set('K\x80\x82hq', { fixed: 1 });
set('M\x83', { fixed: 2 });
set('Jjr\x84', { fixed: 4 });
set('G\x95', { fixed: 8 });
set('U\x8aC\x8c', { lengthBytes: 1 });
set('TXB\x8b', { lengthBytes: 4 });
set('\x8d\x8e\x96', { lengthBytes: 8 });

const STRING_OPS = new Set(['S', 'T', 'U', 'V', 'X', '\x8c', '\x8d'].map((c) => c.charCodeAt(0)));
const MEMO_PUT = new Set(['p', 'q', 'r'].map((c) => c.charCodeAt(0)));
const MEMO_GET = new Set(['g', 'h', 'j'].map((c) => c.charCodeAt(0)));
const MEMOIZE = 0x94;
const STOP = 0x2e;
const STACK_GLOBAL = 0x93;

/** Lists the imports of the pickle(s) in `bytes`. */
export function pickleGlobals(bytes: Uint8Array): PickleWalk {
  const globals: PickleGlobal[] = [];
  const latin1 = (from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
  const utf8 = (from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('utf8');
  let pos = 0;
  let pickles = 0;
  // The strings pushed most recently (null for any other value), and the memo of strings.
  let recent: Array<string | null> = [];
  const memo = new Map<string, string | null>();
  let memoCount = 0;
  // Where the pickle being walked began, in bytes and in `globals`.
  let segment = 0;
  let segmentGlobals = 0;
  // Data after a complete pickle that does not parse (raw array bytes) ends the walk without an error;
  // what it seemed to import is confirmed only when it began like a pickle of protocol 2 or later.
  const fail = (why: string): PickleWalk => {
    if (pickles === 0) return { globals, error: `${why} at byte ${pos}` };
    if (bytes[segment] === 0x80 || segmentGlobals === globals.length) return { globals };
    return { globals: globals.slice(0, segmentGlobals), unconfirmed: globals.slice(segmentGlobals) };
  };

  while (pos < bytes.length) {
    const start = pos;
    const op = bytes[pos++]!;
    const arg = ARGS[op];
    if (arg === undefined) return fail(`unknown opcode 0x${op.toString(16)}`);
    let text: string | undefined;
    const lineArgs: string[] = [];
    if (arg === 'line' || arg === 'lines2') {
      for (let n = arg === 'line' ? 1 : 2; n > 0; n--) {
        const end = bytes.indexOf(0x0a, pos);
        if (end < 0) return fail('a line argument without its newline');
        lineArgs.push(latin1(pos, end));
        pos = end + 1;
      }
    } else if (arg !== 'none' && 'fixed' in arg) {
      if (pos + arg.fixed > bytes.length) return fail('a truncated argument');
      pos += arg.fixed;
    } else if (arg !== 'none') {
      if (pos + arg.lengthBytes > bytes.length) return fail('a truncated length');
      const view = new DataView(bytes.buffer, bytes.byteOffset + pos, arg.lengthBytes);
      const length = arg.lengthBytes === 1 ? view.getUint8(0) : arg.lengthBytes === 4 ? view.getUint32(0, true) : Number(view.getBigUint64(0, true));
      pos += arg.lengthBytes;
      if (pos + length > bytes.length) return fail('truncated data');
      if (STRING_OPS.has(op)) text = op === 0x54 || op === 0x55 ? latin1(pos, pos + length) : utf8(pos, pos + length);
      pos += length;
    }

    if (op === 0x63 || op === 0x69) globals.push({ module: lineArgs[0]!, name: lineArgs[1]! });
    else if (op === STACK_GLOBAL) {
      const name = recent.pop();
      const module = recent.pop();
      globals.push(typeof module === 'string' && typeof name === 'string' ? { module, name } : { module: '?', name: '?' });
      recent.push(null);
    } else if (STRING_OPS.has(op)) recent.push(text ?? unquote(lineArgs[0] ?? ''));
    else if (MEMO_PUT.has(op) || op === MEMOIZE) {
      const key = op === MEMOIZE ? String(memoCount++) : memoKey(bytes, start, op, lineArgs);
      memo.set(key, recent.at(-1) ?? null);
    } else if (MEMO_GET.has(op)) recent.push(memo.get(memoKey(bytes, start, op, lineArgs)) ?? null);
    else if (op === STOP) {
      pickles++;
      segment = pos;
      segmentGlobals = globals.length;
      recent = [];
      memo.clear();
      memoCount = 0;
    } else if (op !== 0x80 && op !== 0x95) recent.push(null);
  }
  return fail('no STOP opcode: not a complete pickle');
}

/** The memo key of a PUT or GET: its index argument as text. */
function memoKey(bytes: Uint8Array, start: number, op: number, lineArgs: string[]): string {
  if (op === 0x70 || op === 0x67) return String(Number(lineArgs[0]));
  if (op === 0x71 || op === 0x68) return String(bytes[start + 1]);
  return String(new DataView(bytes.buffer, bytes.byteOffset + start + 1, 4).getUint32(0, true));
}

/** A protocol-0 STRING or UNICODE argument without its quotes. */
function unquote(text: string): string {
  return /^(['"]).*\1$/s.test(text) ? text.slice(1, -1) : text;
}
