// How a manifest record maps to its `manifests` row and back, for every query that reads or writes one.
import type { ManifestRecord, StoredManifest } from '../../core/ports/registry-store.js';
import type { ManifestsTable } from './schema.js';

/** The row that stores `m`. */
export function toManifestRow(m: StoredManifest): ManifestsTable {
  return {
    repository: m.repository,
    digest: m.digest,
    media_type: m.mediaType,
    size: m.size,
    content: m.content,
    subject: m.subject ?? null,
    artifact_type: m.artifactType ?? null,
    annotations: m.annotations ? JSON.stringify(m.annotations) : null,
    created_at: m.createdAt.getTime(),
  };
}

/** The record of a row read without its content. */
export function fromManifestRow(r: Omit<ManifestsTable, 'content'>): ManifestRecord {
  return {
    repository: r.repository,
    digest: r.digest,
    mediaType: r.media_type,
    size: Number(r.size),
    subject: r.subject ?? undefined,
    artifactType: r.artifact_type ?? undefined,
    annotations: r.annotations ? (JSON.parse(r.annotations) as Record<string, string>) : undefined,
    createdAt: new Date(Number(r.created_at)),
  };
}
