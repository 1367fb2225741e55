// Reads the entries of a ZIP archive through positional reads, as PyTorch's `torch.save` writes them
// (`archive/data.pkl` beside the tensor storages): the central directory (ZIP64 included) and the
// bytes of chosen entries, stored or deflated. Only what a scanner needs; no writing, no encryption.
// https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT  (4.3.6, 4.3.12, 4.3.14, 4.3.16)
import { inflateRawSync } from 'node:zlib';

/** Reads up to `into.length` bytes at `position`; resolves with how many were read. */
export type ReadAt = (into: Uint8Array, position: number) => Promise<number>;

/** One entry of the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function readExactly(read: ReadAt, position: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = await read(out.subarray(done), position + done);
    if (n === 0) throw new Error('the archive ends early');
    done += n;
  }
  return out;
}

/** The central directory of a ZIP archive of `size` bytes. */
export async function zipEntries(read: ReadAt, size: number): Promise<ZipEntry[]> {
  const tailLength = Math.min(size, 65_557);
  const tail = await readExactly(read, size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD) { at = i; break; }
  if (at < 0) throw new Error('no end of central directory: not a ZIP archive');
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (at >= 20 && tail.readUInt32LE(at - 20) === EOCD64_LOCATOR) {
    const eocd64 = await readExactly(read, Number(tail.readBigUInt64LE(at - 20 + 8)), 56);
    if (eocd64.readUInt32LE(0) !== EOCD64) throw new Error('a broken ZIP64 end of central directory');
    count = Number(eocd64.readBigUInt64LE(32));
    cdSize = Number(eocd64.readBigUInt64LE(40));
    cdOffset = Number(eocd64.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size || cdSize > 64 << 20) throw new Error('the central directory lies outside the archive');
  const cd = await readExactly(read, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  for (let p = 0, n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new Error('a broken central directory entry');
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      name: cd.toString('utf8', p + 46, p + 46 + nameLength),
      method: cd.readUInt16LE(p + 10),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localHeaderOffset: cd.readUInt32LE(p + 42),
    };
    applyZip64(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.push(entry);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Replaces 0xFFFFFFFF sizes and offsets with the ZIP64 extra field's values, in their fixed order. */
function applyZip64(entry: ZipEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    p += 4 + length;
  }
}

/** The uncompressed bytes of `entry`, refusing entries larger than `limit`. */
export async function zipEntryBytes(read: ReadAt, entry: ZipEntry, limit: number): Promise<Buffer> {
  if (entry.size > limit || entry.compressedSize > limit) throw new Error(`${entry.name} is larger than ${limit} bytes`);
  const header = await readExactly(read, entry.localHeaderOffset, 30);
  if (header.readUInt32LE(0) !== LOCAL) throw new Error(`a broken local header for ${entry.name}`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const data = await readExactly(read, start, entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: limit });
  throw new Error(`${entry.name} uses compression method ${entry.method}`);
}
