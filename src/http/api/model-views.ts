// What Berth's own REST API returns for models, versions, aliases and lineage: plain JSON with ISO
// dates and custom properties as plain values (the Kubeflow surface keeps the typed MetadataValues).
import type { Entity } from '../../core/models/entity-kinds.js';
import type { CustomProperties } from '../../core/models/metadata-value.js';
import type { AliasEventView, AliasView } from '../../core/models/model-aliases.js';
import type { LineageLink } from '../../core/models/model-lineage.js';
import type { VersionDetail } from '../../core/models/model-service.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Custom properties as plain JSON values (ints and doubles as numbers, structs and protos as given). */
export function plainProperties(props: CustomProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v.metadataType === 'MetadataStringValue') out[k] = v.string_value;
    else if (v.metadataType === 'MetadataIntValue') out[k] = Number(v.int_value);
    else if (v.metadataType === 'MetadataDoubleValue') out[k] = v.double_value;
    else if (v.metadataType === 'MetadataBoolValue') out[k] = v.bool_value;
    else out[k] = v;
  }
  return out;
}

/** A registered model. */
export function modelView(m: Entity): Record<string, unknown> {
  const { readme: _readme, ...fields } = m.fields;
  return { id: String(m.id), name: m.name, project: m.project, state: m.state, description: m.description, ...fields, properties: plainProperties(m.customProperties), createdAt: iso(m.createdAt), updatedAt: iso(m.updatedAt) };
}

/** A version with its binding to the registry. */
export function versionView(d: VersionDetail): Record<string, unknown> {
  const v = d.version;
  const model = d.artifacts.find((a) => a.kind === 'model-artifact' && a.id === d.binding?.artifactId) ?? d.artifacts.find((a) => a.kind === 'model-artifact');
  return {
    id: String(v.id),
    name: v.name,
    state: v.state,
    description: v.description,
    author: v.fields.author ?? null,
    repository: d.binding?.repository ?? null,
    tag: d.binding?.tag ?? null,
    digest: d.binding?.digest ?? null,
    uri: model?.fields.uri ?? null,
    format: model?.fields.modelFormatName ?? null,
    aliases: d.aliases,
    properties: plainProperties(v.customProperties),
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
  };
}

/** An alias. */
export function aliasView(a: AliasView): Record<string, unknown> {
  return { alias: a.alias, version: a.version, digest: a.digest, updatedAt: iso(a.updatedAt), updatedBy: a.updatedBy };
}

/** One alias move. */
export function aliasEventView(e: AliasEventView): Record<string, unknown> {
  return { id: e.id, alias: e.alias, from: e.from, to: e.to, actor: e.actor, at: iso(e.at), reason: e.reason };
}

/** An entity at the other end of a lineage edge; versions also name their model. */
export function lineageLinkView(link: LineageLink, modelNames: Map<number, string | null>): Record<string, unknown> {
  const e = link.entity;
  return {
    id: link.edge.id,
    relation: link.edge.relation,
    createdAt: iso(link.edge.createdAt),
    createdBy: link.edge.createdBy,
    entity: { id: String(e.id), kind: e.kind, name: e.name, ...(e.kind === 'model-version' && e.parentId !== null ? { model: modelNames.get(e.parentId) ?? null } : {}) },
  };
}
