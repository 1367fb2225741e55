// One repository (`#/repositories/<project>/<name>`): its artifacts, newest pushed first, one row per
// tag (and one per untagged artifact) with digest, media and artifact type, kind (model or image),
// size, when the tag was pushed and the artifact last pulled, and which tags are immutable; then
// copy-able pull commands for berth and skopeo. Everything comes from the repositories REST API.
import { h, link, replace } from '../dom.js';
import { kindOf } from '../manifests.js';
import type { Page } from '../page.js';
import { repositoryArtifacts } from '../repositories.js';
import type { ArtifactInfo } from '../types.js';
import { badge, command, failure, formatBytes, message, section, shortDigest, table, time } from '../view.js';

/** The repository page. */
export const repositoryPage: Page = async (ctx) => {
  const repository = ctx.segments.slice(1).join('/');
  ctx.title(repository);
  const heading = h('h1', null, repository);
  const slash = repository.indexOf('/');
  const project = repository.slice(0, slash);
  let listed: { items: ArtifactInfo[]; total: number };
  try {
    if (slash <= 0) throw new Error(`${repository} is not <project>/<repository>`);
    listed = await repositoryArtifacts(project, repository.slice(slash + 1));
  } catch (err) {
    replace(ctx.main, heading, failure(`repository ${repository}`, err, ctx.session !== null));
    return;
  }
  if (!ctx.current()) return;
  const artifacts = listed.items;
  const rows = artifacts.flatMap((a) => {
    const cells = [shortDigest(a.digest), typeCell(a), kindBadge(a), formatBytes(a.size)];
    if (a.tags.length === 0) return [[h('span', { class: 'muted' }, 'untagged'), ...cells, time(a.pushedAt), time(a.pulledAt)]];
    return a.tags.map((t) => [
      [h('code', { class: 'tag' }, t.name), t.immutable ? [' ', badge('immutable', 'warn', 'a tag immutability rule protects this tag')] : null],
      ...cells,
      time(t.pushedAt),
      time(a.pulledAt),
    ]);
  });
  const tags = artifacts.flatMap((a) => a.tags.map((t) => t.name));
  const modelTags = new Set(artifacts.filter((a) => a.modelVersion).flatMap((a) => a.tags.map((t) => t.name)));
  const hasModel = artifacts.some((a) => a.modelVersion);
  replace(
    ctx.main,
    heading,
    h('p', { class: 'meta' }, 'Project ', link(['projects', project], project), hasModel ? [' · ', link(['models', project, ...repository.slice(slash + 1).split('/')], 'model page')] : null),
    section(
      'Tags',
      table('Tags', ['Tag', 'Digest', 'Media type / artifact type', 'Kind', 'Size', 'Pushed', 'Pulled'], rows, 'No artifacts.'),
      listed.total > artifacts.length ? message(`Showing the newest ${artifacts.length} of ${listed.total} artifacts.`) : null,
    ),
    tags.length === 0 ? null : pullCommands(location.host, repository, tags, modelTags),
  );
};

function typeCell(a: ArtifactInfo): HTMLElement {
  return h('span', { class: 'types' }, h('code', null, a.mediaType || '—'), a.artifactType ? [h('br'), h('code', { class: 'muted' }, a.artifactType)] : null);
}

function kindBadge(a: ArtifactInfo): HTMLElement {
  const kind = a.modelVersion ? 'model' : kindOf(a.mediaType, a.artifactType);
  const scan = a.modelVersion?.scanStatus;
  return kind === 'model' ? badge('model', 'info', scan ? `scan: ${scan}` : undefined) : kind === 'image' ? badge('image', 'ok') : badge(kind, 'muted');
}

function pullCommands(host: string, repository: string, tags: string[], modelTags: Set<string>): HTMLElement {
  const select = h('select', { id: 'pull-tag' }, tags.map((t) => h('option', { value: t }, t)));
  select.value = tags.includes('latest') ? 'latest' : tags[0]!;
  const commands = h('div', { id: 'pull-commands' });
  const show = () => {
    const ref = `${host}/${repository}:${select.value}`;
    const dir = repository.split('/').pop() ?? 'model';
    // `berth pull` rebuilds model artifacts; skopeo copies anything.
    const berth = modelTags.has(select.value) ? command('berth', `berth pull ${ref} ./${dir}`) : null;
    replace(commands, berth, command('skopeo', `skopeo copy docker://${ref} oci:./${dir}:${select.value}`));
  };
  select.addEventListener('change', show);
  show();
  return section('Pull', h('label', { for: 'pull-tag' }, 'Tag '), select, commands);
}
