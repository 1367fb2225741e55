// OCI image layouts written by hand for interop tests, so the source side owes nothing to the client
// under test: a multi-layer image and a ModelPack artifact, with reproducible, incompressible bytes.
// https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { digestOf } from './oci-client.js';

const KiB = 1024;

/** A content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** An OCI image layout written by hand, so the source side owes nothing to the client under test. */
export interface Layout {
  dir: string;
  tag: string;
  manifest: Buffer;
  manifestDigest: string;
  /** Config and layer descriptors, in manifest order. */
  blobs: Descriptor[];
}

/** A three-layer gzipped image (one layer over 1 MiB) written as an OCI layout at `dir`, tag `v1`. */
export function writeImageLayout(dir: string): Layout {
  const files = [
    { name: 'usr/share/a.bin', size: 300 * KiB },
    { name: 'usr/share/b.bin', size: 600 * KiB },
    // Over 1 MiB, so client and server both split it across several reads and writes.
    { name: 'opt/big.bin', size: 1536 * KiB + 77 },
  ];
  const tars = files.map((f) => tarOf(f.name, pseudoRandom(f.size, f.name)));
  const layers = tars.map((t) => writeBlob(dir, gzipSync(t, { level: 1 }), 'application/vnd.oci.image.layer.v1.tar+gzip'));
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin'] },
    rootfs: { type: 'layers', diff_ids: tars.map((t) => digestOf(t)) },
    history: files.map((f) => ({ created_by: `add ${f.name}` })),
  };
  const configDesc = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDesc,
    layers,
    annotations: { 'org.opencontainers.image.title': 'berth interop image' },
  };
  return writeLayout(dir, 'v1', manifest, [configDesc, ...layers]);
}

/** A ModelPack artifact (weights over 1 MiB, config.json, README.md) written as an OCI layout at `dir`, tag `v1.0`. */
export function writeModelPackLayout(dir: string): Layout {
  const files = [
    { path: 'model.safetensors', size: 1280 * KiB + 13, mediaType: 'application/vnd.cncf.model.weight.v1.raw' },
    { path: 'config.json', text: '{"architectures":["TinyForCausalLM"],"hidden_size":64}\n', mediaType: 'application/vnd.cncf.model.weight.config.v1.raw' },
    { path: 'README.md', text: '# tiny model\n\nFor interop tests.\n', mediaType: 'application/vnd.cncf.model.doc.v1.raw' },
  ];
  const layers = files.map((f) => {
    const bytes = f.text !== undefined ? Buffer.from(f.text) : pseudoRandom(f.size!, f.path);
    return writeBlob(dir, bytes, f.mediaType, { 'org.cncf.model.filepath': f.path });
  });
  const config = {
    descriptor: { name: 'tiny', version: '1.0.0', createdAt: '2025-01-01T00:00:00Z', licenses: ['Apache-2.0'] },
    config: { architecture: 'transformer', format: 'safetensors', paramSize: '16K', precision: 'float16' },
    modelfs: { type: 'layers', diffIds: layers.map((l) => l.digest) },
  };
  const configDesc = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.cncf.model.config.v1+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.model.manifest.v1+json',
    config: configDesc,
    layers,
    annotations: { 'org.cncf.model.name': 'tiny' },
  };
  return writeLayout(dir, 'v1.0', manifest, [configDesc, ...layers]);
}

function writeLayout(dir: string, tag: string, manifest: object, blobs: Descriptor[]): Layout {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const desc = writeBlob(dir, bytes, 'application/vnd.oci.image.manifest.v1+json');
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...desc, annotations: { 'org.opencontainers.image.ref.name': tag } }] };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
  return { dir, tag, manifest: bytes, manifestDigest: desc.digest, blobs };
}

function writeBlob(dir: string, bytes: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor {
  const digest = digestOf(bytes);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(blobPath(dir, digest), bytes);
  return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
}

/** Where a layout at `dir` keeps the blob `digest`. */
export function blobPath(dir: string, digest: string): string {
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** Incompressible but reproducible bytes: a SHA-256 counter stream seeded by `seed`. */
function pseudoRandom(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, off = 0; off < size; i++, off += 32) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}

/** A one-file ustar archive with fixed metadata (mode 0644, uid/gid 0, mtime 0). */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'ascii');
  const octal = (value: number, offset: number, length: number) => field(value.toString(8).padStart(length - 1, '0') + '\0', offset, length);
  field(name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(content.length, 124, 12);
  octal(0, 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
