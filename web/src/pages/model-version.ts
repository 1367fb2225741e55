// The chosen version of a model: its properties, model card (Markdown subset, text only), lineage
// edges, and a Deploy panel with the KubeAI manifest and the HF_ENDPOINT snippet for Hub clients.
import { ApiError, call, json } from '../api.js';
import { h } from '../dom.js';
import { renderMarkdown } from '../markdown-view.js';
import type { Lineage, LineageLink, Version } from '../types.js';
import { command, failure, message, propertyText, section, shortDigest, table, time } from '../view.js';
import { modelLink } from './project.js';

/** The details section of `version` of the model at API path `path` (full name `full`). */
export async function versionDetails(path: string, full: string, version: Version): Promise<HTMLElement> {
  const v = `${path}/versions/${encodeURIComponent(version.name)}`;
  const [card, lineage, manifest] = await Promise.all([
    json<{ path: string; text: string }>(`${v}/card`).catch((err: unknown) => err as Error),
    json<Lineage>(`${v}/lineage`).catch((err: unknown) => err as Error),
    call(`${path}/kubeai?revision=${encodeURIComponent(version.name)}`).then((r) => r.text(), (err: unknown) => err as Error),
  ]);
  const properties = Object.entries(version.properties).sort(([a], [b]) => a.localeCompare(b));
  return h(
    'div',
    { class: 'version', id: 'version-details' },
    h('h2', { id: 'version-heading' }, `Version ${version.name}`),
    h('p', { class: 'meta' }, 'Digest ', shortDigest(version.digest), ' · tag ', version.tag ? h('code', null, version.tag) : '—', ' · created ', time(version.createdAt), version.author ? ` · by ${version.author}` : null),
    version.description ? h('p', null, version.description) : null,
    subsection('Properties', table('Properties', ['Property', 'Value'], properties.map(([k, value]) => [h('code', null, k), propertyText(value)]), 'No properties.')),
    subsection('Model card', h('div', { id: 'model-card' }, cardView(card))),
    subsection('Lineage', lineageView(lineage)),
    deployPanel(full, version, manifest),
  );
}

function subsection(title: string, ...children: Array<HTMLElement | null>): HTMLElement {
  return h('section', { class: 'sub' }, h('h3', null, title), ...children);
}

function cardView(card: { path: string; text: string } | Error): HTMLElement {
  if (card instanceof ApiError && card.status === 404) return message('This version has no model card (README.md).');
  if (card instanceof Error) return failure('the model card', card);
  return h('div', null, h('p', { class: 'muted' }, `From ${card.path}`), renderMarkdown(card.text));
}

function lineageView(lineage: Lineage | Error): HTMLElement {
  if (lineage instanceof Error) return failure('lineage', lineage);
  const row = (direction: string) => (l: LineageLink) => [direction, l.relation, entityText(l)];
  const rows = [...lineage.upstream.map(row('upstream')), ...lineage.downstream.map(row('downstream'))];
  return table('Lineage', ['Direction', 'Relation', 'Entity'], rows, 'No lineage recorded.');
}

function entityText(l: LineageLink): HTMLElement | string {
  const e = l.entity;
  if (e.kind === 'model-version' && e.model) return h('span', null, modelLink(e.model), ` version ${e.name ?? e.id}`);
  return `${e.kind} ${e.name ?? e.id}`;
}

function deployPanel(full: string, version: Version, manifest: string | Error): HTMLElement {
  const origin = location.origin;
  const hub = [
    `export HF_ENDPOINT=${origin}`,
    '# private projects: export HF_TOKEN=<a Berth personal access token>',
    `huggingface-cli download ${full} --revision ${version.name}`,
  ].join('\n');
  return section(
    'Deploy',
    h('p', null, 'KubeAI pulls the model through Berth’s Hugging Face Hub API (', h('code', null, 'hf://'), ' plus ', h('code', null, 'HF_ENDPOINT'), '). Apply with ', h('code', null, 'kubectl apply -f -'), '.'),
    manifest instanceof Error ? failure('the KubeAI manifest', manifest) : h('div', { id: 'kubeai-manifest' }, command('KubeAI Model', manifest)),
    command('Hugging Face Hub clients', hub),
  );
}
