// One repository (`#/repositories/<project>/<name>`): its tags with digest, media and artifact type,
// kind (model or image), size and, for model versions, when they were pushed; and copy-able pull
// commands for berth and skopeo.
import { call, jsonOrNull, modelPath, repositoryPath } from '../api.js';
import { h, link, replace } from '../dom.js';
import type { Page } from '../page.js';
import { mapLimited, tagInfo, type TagInfo } from '../manifests.js';
import type { ModelDetail } from '../types.js';
import { badge, command, failure, formatBytes, message, section, shortDigest, table, time } from '../view.js';

/** Tags whose manifests are read for the table (more are listed by name only). */
const DETAILED_TAGS = 100;

/** The repository page. */
export const repositoryPage: Page = async (ctx) => {
  const repository = ctx.segments.slice(1).join('/');
  ctx.title(repository);
  const heading = h('h1', null, repository);
  const project = repository.split('/')[0]!;
  let tags: string[];
  try {
    const res = await call(`${repositoryPath(repository)}/tags/list?n=1000`);
    tags = ((await res.json()) as { tags?: string[] | null }).tags ?? [];
  } catch (err) {
    replace(ctx.main, heading, failure(`repository ${repository}`, err, ctx.session !== null));
    return;
  }
  const slash = repository.indexOf('/');
  const infos = await mapLimited(tags.slice(0, DETAILED_TAGS), 6, (tag) => tagInfo(repository, tag).catch((err: unknown) => err as Error));
  const hasModel = infos.some((i) => !(i instanceof Error) && i.kind === 'model');
  // Model versions know when they were pushed; plain images have no such record.
  const model = hasModel && slash > 0 ? await jsonOrNull<ModelDetail>(modelPath(repository.slice(0, slash), repository.slice(slash + 1))) : null;
  if (!ctx.current()) return;
  const pushedAt = new Map((model?.versions ?? []).filter((v) => v.tag).map((v) => [v.tag!, v.createdAt]));
  const rows = tags.map((tag, i) => {
    const info = infos[i];
    if (info === undefined) return [h('code', null, tag), '—', '—', '—', '—', '—'];
    if (info instanceof Error) return [h('code', null, tag), message(info.message, 'error'), '', '', '', ''];
    return [h('code', { class: 'tag' }, tag), shortDigest(info.digest), typeCell(info), kindBadge(info), formatBytes(info.size), time(pushedAt.get(tag))];
  });
  const host = location.host;
  const modelTags = new Set(infos.filter((i): i is TagInfo => !(i instanceof Error) && i.kind === 'model').map((i) => i.tag));
  const pullSection = tags.length === 0 ? null : pullCommands(host, repository, tags, modelTags);
  replace(
    ctx.main,
    heading,
    h('p', { class: 'meta' }, 'Project ', link(['projects', project], project), model ? [' · ', link(['models', repository.slice(0, slash), ...repository.slice(slash + 1).split('/')], 'model page')] : null),
    section('Tags', table('Tags', ['Tag', 'Digest', 'Media type / artifact type', 'Kind', 'Size', 'Pushed'], rows, 'No tags.'), tags.length > DETAILED_TAGS ? message(`Details are shown for the first ${DETAILED_TAGS} tags.`) : null),
    pullSection,
  );
};

function typeCell(info: TagInfo): HTMLElement {
  return h('span', { class: 'types' }, h('code', null, info.mediaType || '—'), info.artifactType ? [h('br'), h('code', { class: 'muted' }, info.artifactType)] : null);
}

function kindBadge(info: TagInfo): HTMLElement {
  return info.kind === 'model' ? badge('model', 'info') : info.kind === 'image' ? badge('image', 'ok') : badge(info.kind, 'muted');
}

function pullCommands(host: string, repository: string, tags: string[], modelTags: Set<string>): HTMLElement {
  const select = h('select', { id: 'pull-tag' }, tags.map((t) => h('option', { value: t }, t)));
  const preferred = tags.includes('latest') ? 'latest' : tags[tags.length - 1]!;
  select.value = preferred;
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
