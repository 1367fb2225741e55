// What this machine allows at best, printed beside the results: sha256 on one core, loopback TCP from
// a node client to a node server in another process, and the disk's rate for a write followed by fsync.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { open, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { PIECE_BYTES, sharedPiece } from './blob-data.js';
import { since } from './blob-scenarios.js';

/** Hashes `bytes` from one in-memory piece with node's sha256; returns seconds. */
export function sha256Seconds(bytes: number): number {
  const piece = sharedPiece();
  const start = performance.now();
  const hash = createHash('sha256');
  for (let done = 0; done < bytes; done += PIECE_BYTES) hash.update(piece);
  hash.digest();
  return since(start);
}

/** Sends `bytes` over 127.0.0.1 to a sink in a child node process; returns seconds until it acknowledged them all. */
export async function loopbackSeconds(bytes: number): Promise<number> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'loopback-sink.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    const port = Number(first.toString().trim());
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const acked = once(socket, 'data');
    const piece = sharedPiece();
    const start = performance.now();
    for (let sent = 0; sent < bytes; sent += PIECE_BYTES) {
      if (!socket.write(piece)) await once(socket, 'drain');
    }
    socket.end();
    const [ack] = (await acked) as [Buffer];
    const seconds = since(start);
    if (Number(ack.toString()) !== bytes) throw new Error(`loopback sink received ${ack.toString()} of ${bytes} bytes`);
    socket.destroy();
    return seconds;
  } finally {
    child.kill();
  }
}

/** Writes `bytes` to a new file in `dir` in 1 MiB writes, fsyncs it, deletes it; returns seconds for write + fsync. */
export async function diskFsyncSeconds(dir: string, bytes: number): Promise<number> {
  const path = join(dir, `berth-bench-disk-${process.pid}`);
  const piece = sharedPiece();
  const handle = await open(path, 'w');
  try {
    const start = performance.now();
    for (let written = 0; written < bytes; written += PIECE_BYTES) await handle.write(piece);
    await handle.sync();
    return since(start);
  } finally {
    await handle.close();
    await rm(path, { force: true });
  }
}
