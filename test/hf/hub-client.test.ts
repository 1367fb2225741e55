// The real npm Hugging Face client (@huggingface/hub) against a listening Berth: a model pushed with
// `berth push` is inspected, listed and downloaded through the Hub API (hubUrl = Berth), every file
// byte-identical to the source, with ranged and resumed reads and a snapshot into an HF_HOME cache;
// then with access control on, private projects need an `hf_`-prefixed token and leak nothing.
// ../../../shared/reference/kubeai-and-hf-hub-api.md sections 3 and 5.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  downloadFile,
  fileDownloadInfo,
  fileExists,
  listFiles,
  modelInfo,
  pathsInfo,
  repoExists,
  snapshotDownload,
  type ListFileEntry,
} from '@huggingface/hub';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { isolatedEnv, pushFixture, sha256, type PushedModel } from '../support/hub-models.js';
import { writeModelFixture, type ModelFixture } from '../support/model-fixtures.js';
import { apiClient, must } from '../support/registry-auth.js';

const BIG = 3 * 1024 * 1024 + 17;
let work: string;
let fixture: ModelFixture;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-hub-client-'));
  fixture = await writeModelFixture(join(work, 'model'), { bigFileBytes: BIG });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Relative path -> sha256 of every file under `root`, following the snapshot's symlinks into blobs/. */
async function snapshotDigests(root: string, dir = root, out: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const name of await readdir(dir)) {
    const full = join(dir, name);
    if ((await stat(full)).isDirectory()) await snapshotDigests(root, full, out);
    else out[relative(root, full).split(sep).join('/')] = sha256(await readFile(full));
  }
  return out;
}

async function collect(entries: AsyncGenerator<ListFileEntry>): Promise<ListFileEntry[]> {
  const out: ListFileEntry[] = [];
  for await (const e of entries) out.push(e);
  return out;
}

describe('@huggingface/hub against Berth (auth off)', () => {
  let berth: BerthProcess;
  let v1: PushedModel;
  let v2: PushedModel;
  const repo = 'llm/tiny-llama';
  const hub = () => ({ hubUrl: berth.url, repo: { type: 'model' as const, name: repo } });

  beforeAll(async () => {
    berth = await startBerth();
    v1 = await pushFixture(berth.host, repo, 'v1', fixture, isolatedEnv(work));
    // A second, different version moves `latest`; v1 stays reachable by tag and by commit.
    const second = await writeModelFixture(join(work, 'model-v2'));
    v2 = await pushFixture(berth.host, repo, 'latest', second, isolatedEnv(work));
  });
  afterAll(() => berth.dispose());

  it('modelInfo: HEAD is the default revision, a tag and a commit id resolve to the same sha', async () => {
    const head = await modelInfo({ name: repo, hubUrl: berth.url, additionalFields: ['sha', 'filePaths'] });
    expect(head.name).toBe(repo);
    expect(head.sha).toBe(v2.commit);
    expect(head.private).toBe(false);

    const byTag = await modelInfo({ name: repo, hubUrl: berth.url, revision: 'v1', additionalFields: ['sha', 'filePaths'] });
    expect(byTag.sha).toBe(v1.commit);
    expect(byTag.sha).toMatch(/^[0-9a-f]{40}$/);
    expect([...byTag.filePaths].sort()).toEqual([...v1.files.keys()].sort());

    const byCommit = await modelInfo({ name: repo, hubUrl: berth.url, revision: v1.commit, additionalFields: ['sha'] });
    expect(byCommit.sha).toBe(v1.commit);
    await expect(modelInfo({ name: repo, hubUrl: berth.url, revision: 'v9' })).rejects.toThrow();
  });

  it('listFiles: recursive lists every file with its size and sha256, per folder lists one level', async () => {
    const all = await collect(listFiles({ ...hub(), revision: 'v1', recursive: true }));
    const files = all.filter((e) => e.type === 'file');
    expect(files.map((f) => f.path).sort()).toEqual([...v1.files.keys()].sort());
    for (const f of files) {
      const source = v1.files.get(f.path)!;
      expect(f.size).toBe(source.size);
      expect(f.lfs?.oid).toBe(source.sha256);
      expect(f.xetHash).toBeUndefined();
    }
    expect(all.filter((e) => e.type === 'directory').map((d) => d.path).sort()).toEqual(['data', 'original', 'scripts']);

    const root = await collect(listFiles({ ...hub(), revision: 'v1' }));
    expect(root.some((e) => e.path.includes('/'))).toBe(false);
    expect(root.filter((e) => e.type === 'directory').map((e) => e.path).sort()).toEqual(['data', 'original', 'scripts']);

    const original = await collect(listFiles({ ...hub(), revision: 'v1', path: 'original', expand: true }));
    expect(original.map((e) => e.path)).toEqual(['original/params.json']);
    expect(original[0]!.lastCommit?.id).toBe(v1.commit);
  });

  it('pathsInfo: files and folders, with expand', async () => {
    const info = await pathsInfo({ ...hub(), revision: v1.commit, paths: ['config.json', 'scripts', 'missing.bin'], expand: true });
    expect(info.map((p) => [p.path, p.type]).sort()).toEqual([['config.json', 'file'], ['scripts', 'directory']]);
    const config = info.find((p) => p.path === 'config.json')!;
    expect(config.size).toBe(v1.files.get('config.json')!.size);
    expect(config.lfs?.oid).toBe(v1.files.get('config.json')!.sha256);
    expect(config.lastCommit.id).toBe(v1.commit);
  });

  it('fileExists and repoExists', async () => {
    expect(await repoExists({ ...hub() })).toBe(true);
    expect(await repoExists({ hubUrl: berth.url, repo: { type: 'model', name: 'llm/nothing-here' } })).toBe(false);
    expect(await fileExists({ ...hub(), path: 'original/params.json', revision: 'v1' })).toBe(true);
    expect(await fileExists({ ...hub(), path: 'original/nope.json', revision: 'v1' })).toBe(false);
  });

  it('fileDownloadInfo: size, sha256 etag and a commit-pinned URL', async () => {
    const info = await fileDownloadInfo({ ...hub(), path: 'model-00002-of-00002.safetensors', revision: 'v1' });
    expect(info).not.toBeNull();
    expect(info!.size).toBe(v1.files.get('model-00002-of-00002.safetensors')!.size);
    expect(info!.etag.replace(/"/g, '')).toBe(v1.files.get('model-00002-of-00002.safetensors')!.sha256);
    expect(info!.xet).toBeUndefined();
    expect(new URL(info!.url).pathname).toBe(`/${repo}/resolve/${v1.commit}/model-00002-of-00002.safetensors`);
    expect(await fileDownloadInfo({ ...hub(), path: 'nope.bin', revision: 'v1' })).toBeNull();
  });

  it('downloadFile: every file of v1 is byte-identical to the source', async () => {
    for (const [path, source] of v1.files) {
      const blob = await downloadFile({ ...hub(), path, revision: 'v1', xet: false });
      expect(blob, path).not.toBeNull();
      expect(blob!.size, path).toBe(source.size);
      expect(sha256(await blob!.arrayBuffer()), path).toBe(source.sha256);
    }
    expect(await downloadFile({ ...hub(), path: 'nope.bin', revision: 'v1', xet: false })).toBeNull();
  });

  it('ranged reads through Blob.slice match the same bytes of the source', async () => {
    const path = 'model-00002-of-00002.safetensors';
    const whole = new Uint8Array(await (await downloadFile({ ...hub(), path, revision: v1.commit, xet: false }))!.arrayBuffer());
    const blob = (await downloadFile({ ...hub(), path, revision: 'v1', xet: false }))!;
    for (const [start, end] of [[0, 8], [8, 4096], [1_000_000, 2_500_001], [blob.size - 100, blob.size]] as const) {
      const part = new Uint8Array(await blob.slice(start, end).arrayBuffer());
      expect(part.length).toBe(end - start);
      expect(sha256(part)).toBe(sha256(whole.subarray(start, end)));
    }
    const nested = blob.slice(1000, 3000).slice(500, 700);
    expect(sha256(await nested.arrayBuffer())).toBe(sha256(whole.subarray(1500, 1700)));
  });

  it('a partial download resumes with Range: bytes=N- and the joined bytes are identical', async () => {
    const path = 'model-00002-of-00002.safetensors';
    const source = v1.files.get(path)!;
    const url = `${berth.url}/${repo}/resolve/${v1.commit}/${path}`;
    const controller = new AbortController();
    const first = await fetch(url, { signal: controller.signal });
    const reader = first.body!.getReader();
    const head: Uint8Array[] = [];
    let got = 0;
    while (got < 1_000_000) {
      const { value, done } = await reader.read();
      if (done) break;
      head.push(value);
      got += value.length;
    }
    controller.abort();
    await reader.cancel().catch(() => undefined);
    expect(got).toBeLessThan(source.size);

    const rest = await fetch(url, { headers: { range: `bytes=${got}-` } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${got}-${source.size - 1}/${source.size}`);
    const tail = new Uint8Array(await rest.arrayBuffer());
    expect(got + tail.length).toBe(source.size);
    expect(sha256(Buffer.concat([...head, tail]))).toBe(source.sha256);
  });

  it('snapshotDownload into an HF_HOME cache: the snapshot folder is byte-identical to the source', async () => {
    const saved = process.env.HF_HOME;
    process.env.HF_HOME = join(work, 'hf-home');
    const quiet = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      const folder = await snapshotDownload({ hubUrl: berth.url, repo: { type: 'model', name: repo }, revision: 'v1' });
      expect(folder).toBe(join(work, 'hf-home', 'hub', 'models--llm--tiny-llama', 'snapshots', v1.commit));
      const expected = Object.fromEntries([...v1.files].map(([p, f]) => [p, f.sha256]));
      expect(await snapshotDigests(folder)).toEqual(expected);
      // The cache layout huggingface_hub shares: blobs named by their ETag (the sha256), refs/<tag> = commit.
      const storage = join(work, 'hf-home', 'hub', 'models--llm--tiny-llama');
      expect((await readdir(join(storage, 'blobs'))).sort()).toEqual([...new Set(Object.values(expected))].sort());
      expect(await readFile(join(storage, 'refs', 'v1'), 'utf8')).toBe(v1.commit);
    } finally {
      quiet.mockRestore();
      if (saved === undefined) delete process.env.HF_HOME;
      else process.env.HF_HOME = saved;
    }
  });
});

describe('@huggingface/hub against Berth with access control', () => {
  const ADMIN = { username: 'admin', password: 'hub-client-admin-pw' };
  let berth: BerthProcess;
  let secret: PushedModel;
  let open: PushedModel;
  let pat: string;
  let robot: string;

  beforeAll(async () => {
    berth = await startBerth({ adminPassword: ADMIN.password });
    const admin = apiClient(berth.url, ADMIN);
    await must(admin.post('/api/v1/projects', { name: 'secret', public: false }), 201);
    await must(admin.post('/api/v1/projects', { name: 'open', public: true }), 201);
    const creds = `${ADMIN.username}:${ADMIN.password}`;
    secret = await pushFixture(berth.host, 'secret/tiny-llama', 'v1', fixture, isolatedEnv(work), creds);
    open = await pushFixture(berth.host, 'open/tiny-llama', 'v1', fixture, isolatedEnv(work), creds);
    pat = (await must(admin.post('/api/v1/tokens', { name: 'hub client', scopes: ['pull'], expiresInDays: 1 }), 201)).body.token as string;
    robot = (await must(admin.post('/api/v1/projects/secret/robots', { name: 'kubeai', permissions: ['pull'], expiresInDays: 1 }), 201)).body.secret as string;
  });
  afterAll(() => berth.dispose());

  const secretRepo = () => ({ hubUrl: berth.url, repo: { type: 'model' as const, name: 'secret/tiny-llama' } });

  it('a private repo reads with an hf_-prefixed personal token and with an hf_-prefixed robot secret', async () => {
    for (const token of [`hf_${pat}`, `hf_${robot}`]) {
      const info = await modelInfo({ name: 'secret/tiny-llama', hubUrl: berth.url, accessToken: token, additionalFields: ['sha'] });
      expect(info.sha).toBe(secret.commit);
      expect(info.private).toBe(true);
      expect(await repoExists({ ...secretRepo(), accessToken: token })).toBe(true);
      const files = (await collect(listFiles({ ...secretRepo(), accessToken: token, recursive: true }))).filter((e) => e.type === 'file');
      expect(files).toHaveLength(secret.files.size);
      const blob = await downloadFile({ ...secretRepo(), accessToken: token, path: 'config.json', xet: false });
      expect(sha256(await blob!.arrayBuffer())).toBe(secret.files.get('config.json')!.sha256);
      const big = await downloadFile({ ...secretRepo(), accessToken: token, path: 'model-00002-of-00002.safetensors', xet: false });
      const source = await readFile(join(fixture.dir, 'model-00002-of-00002.safetensors'));
      expect(sha256(await big!.slice(10, 5000).arrayBuffer())).toBe(sha256(source.subarray(10, 5000)));
    }
  });

  it('the client itself refuses a token without the hf_ prefix, so Berth must accept the prefixed form', async () => {
    await expect(modelInfo({ name: 'secret/tiny-llama', hubUrl: berth.url, accessToken: pat })).rejects.toThrow(/hf_/);
  });

  it('without a token a private repo does not exist and no byte of it leaks', async () => {
    expect(await repoExists({ ...secretRepo() })).toBe(false);
    await expect(modelInfo({ name: 'secret/tiny-llama', hubUrl: berth.url })).rejects.toThrow();
    await expect(downloadFile({ ...secretRepo(), path: 'config.json', xet: false })).rejects.toThrow();
    await expect(collect(listFiles({ ...secretRepo() }))).rejects.toThrow();

    const source = secret.files.get('config.json')!;
    for (const url of [
      `/secret/tiny-llama/resolve/main/config.json`,
      `/secret/tiny-llama/resolve/${secret.commit}/config.json`,
      `/secret/tiny-llama/raw/v1/config.json`,
      `/api/models/secret/tiny-llama/tree/main?recursive=true`,
      `/api/models/secret/tiny-llama/revision/${secret.commit}?blobs=true`,
    ]) {
      const res = await fetch(`${berth.url}${url}`, { redirect: 'manual' });
      const body = await res.text();
      expect(res.status, url).toBe(401);
      expect(res.headers.get('x-error-code'), url).toBe('RepoNotFound');
      expect(res.headers.get('x-repo-commit'), url).toBeNull();
      expect(res.headers.get('x-linked-etag'), url).toBeNull();
      expect(body, url).not.toContain(source.sha256);
      expect(body, url).not.toContain(secret.commit);
      expect(body, url).not.toContain('LlamaForCausalLM');
    }
    // A wrong token is turned away the same way; a valid token of another project's robot sees nothing.
    const other = await must(apiClient(berth.url, ADMIN).post('/api/v1/projects/open/robots', { name: 'elsewhere', permissions: ['pull'], expiresInDays: 1 }), 201);
    const foreign = await fetch(`${berth.url}/secret/tiny-llama/resolve/${secret.commit}/config.json`, { headers: { authorization: `Bearer hf_${other.body.secret as string}` } });
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('x-error-code')).toBe('RepoNotFound');
    expect(await foreign.text()).not.toContain(source.sha256);
  });

  it('a public project works anonymously', async () => {
    const info = await modelInfo({ name: 'open/tiny-llama', hubUrl: berth.url, additionalFields: ['sha'] });
    expect(info.sha).toBe(open.commit);
    expect(info.private).toBe(false);
    const repo = { hubUrl: berth.url, repo: { type: 'model' as const, name: 'open/tiny-llama' } };
    for (const [path, source] of open.files) {
      const blob = await downloadFile({ ...repo, path, xet: false });
      expect(sha256(await blob!.arrayBuffer()), path).toBe(source.sha256);
    }
  });
});
