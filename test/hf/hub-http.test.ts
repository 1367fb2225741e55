// Raw HTTP checks of what the Python huggingface_hub client (vLLM, transformers, KubeAI's loader)
// needs from the Hub API, each tied to the section of the reference file that says so:
// ../../../shared/reference/kubeai-and-hf-hub-api.md (cited below as "ref §x.y"). The Python client
// cannot run on this machine kind (ref §5), so its behaviour is replayed here by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { runCliOk } from '../support/cli.js';
import { isolatedEnv, pushFixture, sha256, type PushedModel } from '../support/hub-models.js';
import { writeModelFixture, type ModelFixture } from '../support/model-fixtures.js';

const REPO = 'llm/tiny-llama';
const NESTED = 'nested/deep/notes.txt';
const BULK_FILES = 1005;
let berth: BerthProcess;
let work: string;
let fixture: ModelFixture;
let v1: PushedModel;
/** Every response seen, to check that none ever carried a Xet header (ref §3.2, §3.8 item 6). */
const seen: Array<{ url: string; headers: Headers; body: string }> = [];

/** A request to Berth that never follows redirects, recorded for the Xet check. */
async function call(path: string, init: RequestInit = {}): Promise<{ res: Response; bytes: Uint8Array; body: string; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(path.startsWith('http') ? path : `${berth.url}${path}`, { redirect: 'manual', ...init });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const body = Buffer.from(bytes).toString('utf8');
  seen.push({ url: path, headers: res.headers, body });
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { res, bytes, body, json };
}

/**
 * Follows redirects the way huggingface_hub's `_httpx_follow_relative_redirects` does (ref §3.2):
 * only relative `Location`s, replacing just the path of the URL it asked; an absolute one stops it.
 */
async function followRelative(path: string, init: RequestInit): Promise<{ hops: Response[]; final: Response; bytes: Uint8Array }> {
  let url = new URL(`${berth.url}${path}`);
  const hops: Response[] = [];
  for (;;) {
    const { res, bytes } = await call(url.toString(), init);
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) return { hops, final: res, bytes };
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || location.startsWith('//')) return { hops, final: res, bytes };
    hops.push(res);
    const next = new URL(url);
    next.pathname = new URL(location, 'http://relative.invalid').pathname;
    url = next;
  }
}

/** Strips `W/` and quotes the way `_normalize_etag` does (ref §3.2). */
const normalizeEtag = (etag: string | null) => etag?.replace(/^W\//, '').replace(/"/g, '') ?? null;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-hub-http-'));
  fixture = await writeModelFixture(join(work, 'model'), { bigFileBytes: 2 * 1024 * 1024 });
  await mkdir(join(fixture.dir, 'nested/deep'), { recursive: true });
  await writeFile(join(fixture.dir, NESTED), 'a file two folders down\n');
  fixture.files.push({ path: NESTED, size: 24, kind: 'doc' });
  berth = await startBerth();
  v1 = await pushFixture(berth.host, REPO, 'v1', fixture, isolatedEnv(work));
});
afterAll(async () => {
  await berth.dispose();
  rmSync(work, { recursive: true, force: true });
});

describe('resolve: HEAD metadata, relative redirects, ranges (ref §3.2)', () => {
  const path = 'model-00002-of-00002.safetensors';

  it('HEAD by commit answers 200 with X-Repo-Commit, sha256 ETag/X-Linked-Etag, X-Linked-Size, Content-Length, Accept-Ranges', async () => {
    const source = v1.files.get(path)!;
    const { res } = await call(`/${REPO}/resolve/${v1.commit}/${path}`, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-repo-commit')).toBe(v1.commit);
    expect(normalizeEtag(res.headers.get('x-linked-etag'))).toBe(source.sha256);
    expect(normalizeEtag(res.headers.get('etag'))).toBe(source.sha256);
    expect(normalizeEtag(res.headers.get('etag'))).toMatch(/^[0-9a-f]{64}$/); // REGEX_SHA256: --local-dir skips files it already has
    expect(res.headers.get('x-linked-size')).toBe(String(source.size));
    expect(res.headers.get('content-length')).toBe(String(source.size));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-encoding')).toBeNull();
  });

  it('HEAD asking for gzip still gets identity bytes (the size check would fail otherwise)', async () => {
    const { res } = await call(`/${REPO}/resolve/${v1.commit}/config.json`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(v1.files.get('config.json')!.size));
  });

  it('HEAD by tag redirects relatively to the commit URL, the 3xx already carrying X-Linked-Size, X-Linked-Etag and X-Repo-Commit', async () => {
    const source = v1.files.get(path)!;
    const { hops, final } = await followRelative(`/${REPO}/resolve/v1/${path}?download=true`, { method: 'HEAD' });
    expect(hops).toHaveLength(1);
    const hop = hops[0]!;
    expect([301, 302, 307, 308]).toContain(hop.status);
    expect(hop.headers.get('location')).toBe(`/${REPO}/resolve/${v1.commit}/${path}`);
    // huggingface_hub 0.30 reads `X-Linked-Size or Content-Length` off whatever response it stops at.
    expect(hop.headers.get('x-linked-size')).toBe(String(source.size));
    expect(normalizeEtag(hop.headers.get('x-linked-etag'))).toBe(source.sha256);
    expect(hop.headers.get('x-repo-commit')).toBe(v1.commit);
    expect(final.status).toBe(200);
    expect(final.headers.get('x-repo-commit')).toBe(v1.commit);
    expect(final.headers.get('x-linked-size')).toBe(String(source.size));
  });

  it('HEAD by main and by HEAD redirect to the default revision too', async () => {
    for (const rev of ['main', 'HEAD']) {
      const { final } = await followRelative(`/${REPO}/resolve/${rev}/config.json`, { method: 'HEAD' });
      expect(final.status, rev).toBe(200);
      expect(final.headers.get('x-repo-commit'), rev).toBe(v1.commit);
    }
  });

  it('GET after the redirect streams the exact bytes', async () => {
    const { final, bytes } = await followRelative(`/${REPO}/resolve/v1/${path}`, { method: 'GET' });
    expect(final.status).toBe(200);
    expect(sha256(bytes)).toBe(v1.files.get(path)!.sha256);
  });

  it('Range: bytes=N- resumes with 206 and Content-Range (http_get resume)', async () => {
    const source = v1.files.get(path)!;
    const n = 123_457;
    const { final, bytes: tail } = await followRelative(`/${REPO}/resolve/v1/${path}`, { headers: { range: `bytes=${n}-` } });
    expect(final.status).toBe(206);
    expect(final.headers.get('content-range')).toBe(`bytes ${n}-${source.size - 1}/${source.size}`);
    expect(final.headers.get('content-length')).toBe(String(source.size - n));
    const whole = new Uint8Array(await (await fetch(`${berth.url}/${REPO}/resolve/${v1.commit}/${path}`)).arrayBuffer());
    expect(sha256(tail)).toBe(sha256(whole.subarray(n)));
  });

  it('Range: bytes=a-b answers 206 with that slice (hf_transfer chunks)', async () => {
    const source = v1.files.get(path)!;
    const whole = new Uint8Array(await (await fetch(`${berth.url}/${REPO}/resolve/${v1.commit}/${path}`)).arrayBuffer());
    for (const [a, b] of [[0, 0], [0, 1_048_575], [1_048_576, source.size - 1]] as const) {
      const { res } = await call(`/${REPO}/resolve/${v1.commit}/${path}`, { headers: { range: `bytes=${a}-${b}` } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${a}-${b}/${source.size}`);
    }
    const { res, bytes } = await call(`/${REPO}/resolve/${v1.commit}/${path}`, { headers: { range: 'bytes=1000-1999' } });
    expect(res.status).toBe(206);
    expect(sha256(bytes)).toBe(sha256(whole.subarray(1000, 2000)));
  });

  it('an unsatisfiable range answers 416 with Content-Range: bytes */size (ref §3.4)', async () => {
    const source = v1.files.get(path)!;
    const { res } = await call(`/${REPO}/resolve/${v1.commit}/${path}`, { headers: { range: `bytes=${source.size}-` } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${source.size}`);
  });
});

describe('revisions (ref §3.6)', () => {
  it('round-trips by commit id: model_info(rev=tag).sha, then resolve/<sha>/... and tree/<sha> answer the same commit', async () => {
    const { json: info } = await call(`/api/models/${REPO}/revision/v1`);
    expect(info.sha).toBe(v1.commit);
    expect(info.sha).toMatch(/^[0-9a-f]{40}$/); // REGEX_COMMIT_HASH: only such revisions are cached as immutable
    const { res: head } = await call(`/${REPO}/resolve/${info.sha}/config.json`, { method: 'HEAD' });
    expect(head.status).toBe(200); // no redirect: the revision already is the commit
    expect(head.headers.get('x-repo-commit')).toBe(info.sha);
    const { res, json: tree } = await call(`/api/models/${REPO}/tree/${info.sha}?recursive=true&expand=false`);
    expect(res.status).toBe(200);
    expect((tree as Array<{ type: string; path: string }>).filter((e) => e.type === 'file').map((e) => e.path).sort()).toEqual([...v1.files.keys()].sort());
  });

  it('GET /api/models/{repo} without a revision answers the default, with siblings and a sha', async () => {
    const { json } = await call(`/api/models/${REPO}`);
    expect(json.id).toBe(REPO);
    expect(json.sha).toBe(v1.commit);
    expect(json.siblings.length).toBe(v1.files.size);
  });

  it('accepts %2F-encoded revisions as one revision (quote(rev, safe=""))', async () => {
    const { res } = await call(`/api/models/${REPO}/revision/refs%2Fpr%2F1`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-error-code')).toBe('RevisionNotFound');
    expect(res.headers.get('x-error-message')).toContain('refs/pr/1');
    const { res: byTag } = await call(`/api/models/${REPO}/revision/${encodeURIComponent('v1')}`);
    expect(byTag.status).toBe(200);
  });

  it('accepts %2F-encoded tree paths (quote(path, safe="")) and resolve paths the same as raw ones', async () => {
    const raw = await call(`/api/models/${REPO}/tree/v1/nested/deep`);
    const encoded = await call(`/api/models/${REPO}/tree/v1/nested%2Fdeep`);
    expect(encoded.res.status).toBe(200);
    expect(encoded.json).toEqual(raw.json);
    expect((encoded.json as Array<{ path: string }>).map((e) => e.path)).toEqual([NESTED]);
    const { res } = await call(`/${REPO}/resolve/${v1.commit}/nested%2Fdeep%2Fnotes.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-linked-size')).toBe('24');
  });
});

describe('model info, tree and paths-info JSON (ref §3.3)', () => {
  it('accepts True/true/1 (and False/false/0) for blobs; siblings then carry size, blobId and lfs.{sha256,size,pointerSize}', async () => {
    for (const value of ['True', 'true', '1']) {
      const { json } = await call(`/api/models/${REPO}/revision/v1?blobs=${value}`);
      for (const s of json.siblings as Array<{ rfilename: string; size: number; blobId: string; lfs: { sha256: string; size: number; pointerSize: number } }>) {
        const source = v1.files.get(s.rfilename)!;
        expect(s.size, value).toBe(source.size);
        expect(s.blobId).toMatch(/^[0-9a-f]{40}$/);
        expect(s.lfs).toEqual({ sha256: source.sha256, size: source.size, pointerSize: expect.any(Number) });
        expect(s.lfs.pointerSize).toBeGreaterThan(0);
      }
    }
    for (const value of ['False', 'false', '0']) {
      const { json } = await call(`/api/models/${REPO}/revision/v1?blobs=${value}`);
      expect(Object.keys(json.siblings[0]), value).toEqual(['rfilename']);
    }
  });

  it('model info has the fields ModelInfo and snapshot_download rely on', async () => {
    const { json } = await call(`/api/models/${REPO}/revision/v1?expand=sha&expand=private&securityStatus=True`);
    expect(json).toMatchObject({ _id: expect.any(String), id: REPO, sha: v1.commit, private: false, gated: false, disabled: false, lastModified: expect.any(String) });
    expect(Number.isNaN(Date.parse(json.lastModified))).toBe(false);
  });

  it('accepts True/true/1 for recursive and expand; entries carry type, oid, size, path, lfs.{oid,size,pointerSize}', async () => {
    for (const value of ['True', 'true', '1']) {
      const { json } = await call(`/api/models/${REPO}/tree/v1?recursive=${value}&expand=${value}`);
      const entries = json as Array<{ type: string; oid: string; size: number; path: string; lfs?: { oid: string; size: number; pointerSize: number }; lastCommit?: { id: string; title: string; date: string } }>;
      expect(entries.filter((e) => e.type === 'file').length, value).toBe(v1.files.size);
      for (const e of entries) {
        expect(typeof e.oid).toBe('string');
        expect(typeof e.size).toBe('number');
        expect(e.lastCommit?.id).toBe(v1.commit);
        if (e.type === 'file') expect(e.lfs).toEqual({ oid: v1.files.get(e.path)!.sha256, size: v1.files.get(e.path)!.size, pointerSize: expect.any(Number) });
      }
    }
    const { json: flat } = await call(`/api/models/${REPO}/tree/v1?recursive=False&expand=false`);
    expect((flat as Array<{ path: string; lastCommit?: unknown }>).every((e) => !e.path.includes('/') && e.lastCommit === undefined)).toBe(true);
  });

  it('paths-info takes a form body (get_paths_info) and a JSON body (@huggingface/hub)', async () => {
    const form = new URLSearchParams([['paths', 'config.json'], ['paths', 'nested'], ['paths', NESTED], ['paths', 'missing.bin'], ['expand', 'True']]);
    const a = await call(`/api/models/${REPO}/paths-info/v1`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(a.res.status).toBe(200);
    expect((a.json as Array<{ path: string; type: string }>).map((e) => [e.path, e.type])).toEqual([['config.json', 'file'], ['nested', 'directory'], [NESTED, 'file']]);
    expect(a.json[0].lastCommit.id).toBe(v1.commit);

    const b = await call(`/api/models/${REPO}/paths-info/${v1.commit}`, { method: 'POST', body: JSON.stringify({ paths: ['config.json', NESTED], expand: false }), headers: { 'content-type': 'application/json' } });
    expect(b.res.status).toBe(200);
    expect((b.json as Array<{ path: string; lfs: { oid: string } }>).map((e) => [e.path, e.lfs.oid])).toEqual([
      ['config.json', v1.files.get('config.json')!.sha256],
      [NESTED, v1.files.get(NESTED)!.sha256],
    ]);
    expect(b.json[0].lastCommit).toBeUndefined();
  });
});

describe('tree paging (ref §3.3 Pagination)', () => {
  it('pages of at most 1000 entries linked by an absolute Link rel="next" that keeps the query, until none', async () => {
    // A real model with more files than one page: pushed with `berth push`, so the default page size is what is tested.
    const dir = join(work, 'bulk');
    await mkdir(join(dir, 'shards'), { recursive: true });
    await writeFile(join(dir, 'config.json'), '{"architectures":["BulkModel"]}\n');
    for (let i = 0; i < BULK_FILES; i++) await writeFile(join(dir, 'shards', `part-${String(i).padStart(5, '0')}.bin`), `part ${i}\n`);
    await runCliOk(['push', dir, `${berth.host}/llm/bulk:v1`, '-q', '--concurrency', '16'], isolatedEnv(work));

    const pages: Array<Array<{ path: string; type: string }>> = [];
    let next: string | null = `${berth.url}/api/models/llm/bulk/tree/v1?recursive=True&expand=False`;
    while (next) {
      const { res, json } = await call(next);
      expect(res.status).toBe(200);
      pages.push(json);
      const link = res.headers.get('link');
      // @huggingface/hub's parseLinkHeader only takes absolute URLs; requests' response.links reads the same header.
      const match = link ? /<(https?:[/][/][^>]+)>;\s+rel="([^"]+)"/.exec(link) : null;
      if (link) expect(match?.[2]).toBe('next');
      next = match ? match[1]! : null;
      if (next) expect(new URL(next).searchParams.get('recursive')).toBe('True');
    }
    expect(pages.length).toBe(2);
    expect(pages[0]!.length).toBe(1000);
    const paths = pages.flat().map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p.startsWith('shards/')).length).toBe(BULK_FILES);
    expect(paths).toContain('config.json');
    expect(paths).toContain('shards');

    // The npm client follows the same Link header to the end.
    let listed = 0;
    for await (const entry of listFiles({ repo: { type: 'model', name: 'llm/bulk' }, hubUrl: berth.url, revision: 'v1', recursive: true })) if (entry.type === 'file') listed++;
    expect(listed).toBe(BULK_FILES + 1);
  }, 120_000);
});

describe('errors (ref §3.4)', () => {
  const expectHubError = async (path: string, status: number, code: string, init: RequestInit = {}) => {
    const { res, json } = await call(path, init);
    expect(res.status, path).toBe(status);
    expect(res.headers.get('x-error-code'), path).toBe(code);
    expect(res.headers.get('x-error-message'), path).toBeTruthy();
    if (init.method !== 'HEAD') expect(typeof json?.error, path).toBe('string');
    return res;
  };

  it('RepoNotFound for a repo that does not exist, on every endpoint', async () => {
    await expectHubError('/api/models/llm/nothing', 404, 'RepoNotFound');
    await expectHubError('/api/models/llm/nothing/revision/main', 404, 'RepoNotFound');
    await expectHubError('/api/models/llm/nothing/tree/main', 404, 'RepoNotFound');
    await expectHubError('/llm/nothing/resolve/main/config.json', 404, 'RepoNotFound', { method: 'HEAD' });
    await expectHubError('/llm/nothing/resolve/main/config.json', 404, 'RepoNotFound');
  });

  it('RevisionNotFound for an unknown tag or commit', async () => {
    await expectHubError(`/api/models/${REPO}/revision/v404`, 404, 'RevisionNotFound');
    await expectHubError(`/api/models/${REPO}/tree/${'0'.repeat(40)}`, 404, 'RevisionNotFound');
    await expectHubError(`/${REPO}/resolve/v404/config.json`, 404, 'RevisionNotFound', { method: 'HEAD' });
  });

  it('EntryNotFound carries X-Repo-Commit, so the client can cache .no_exist/<commit>/<file>', async () => {
    for (const rev of ['v1', v1.commit]) {
      const head = await expectHubError(`/${REPO}/resolve/${rev}/model.bin`, 404, 'EntryNotFound', { method: 'HEAD' });
      expect(head.headers.get('x-repo-commit')).toBe(v1.commit);
      const get = await expectHubError(`/${REPO}/resolve/${rev}/model.bin`, 404, 'EntryNotFound');
      expect(get.headers.get('x-repo-commit')).toBe(v1.commit);
    }
    const tree = await expectHubError(`/api/models/${REPO}/tree/v1/no-such-folder`, 404, 'EntryNotFound');
    expect(tree.headers.get('x-repo-commit')).toBe(v1.commit);
  });

  it('never sends a Xet header or xetHash on any response above', () => {
    expect(seen.length).toBeGreaterThan(40);
    for (const { url, headers, body } of seen) {
      for (const name of headers.keys()) expect(name, url).not.toMatch(/^x-xet-/i);
      expect(headers.get('link') ?? '', url).not.toContain('xet-auth');
      expect(body, url).not.toContain('xetHash');
    }
  });
});
