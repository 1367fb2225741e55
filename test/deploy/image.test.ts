// deploy/Dockerfile checked without a Docker engine (none runs on this machine, and no base image can be
// pulled): its instructions are read and held to what the manifests and the project expect, and the
// runtime stage is re-enacted on the host: the built dist/, bin/ and package*.json with node_modules
// pruned to production dependencies, started as the image's non-root UID with no passwd entry in a
// directory it cannot write, must serve /healthz and /readyz and exit 0 on SIGTERM.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForStart } from '../support/berth.js';
import { freePort } from '../support/ports.js';
import { copyParts, dockerignored, ops, readDockerfile } from './dockerfile.js';

const ROOT = resolve(import.meta.dirname, '../..');
const { args, stages } = readDockerfile();
const runtime = stages.at(-1)!;
const env = Object.fromEntries(
  ops(runtime, 'ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
);
const [uid, gid] = (ops(runtime, 'USER')[0]?.args ?? '').split(':').map(Number);

describe('deploy/Dockerfile', () => {
  it('builds on node:22-bookworm-slim in stages and runs `node bin/berth.js serve` as a numeric non-root user', () => {
    expect(args.NODE_IMAGE).toBe('node:22-bookworm-slim');
    expect(stages.every((s) => s.from === '${NODE_IMAGE}' || stages.some((x) => x.name === s.from))).toBe(true);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    expect(JSON.parse(ops(runtime, 'ENTRYPOINT')[0]!.args)).toEqual(['node', 'bin/berth.js']);
    expect(JSON.parse(ops(runtime, 'CMD')[0]!.args)).toEqual(['serve']);
    expect(readFileSync(resolve(ROOT, 'bin/berth.js'), 'utf8')).toContain("'../dist/cli/index.js'");
    expect(stages.flatMap((s) => ops(s, 'HEALTHCHECK'))).toEqual([]);
  });

  it('listens on 0.0.0.0:5050 with data on the /data volume, as the manifests expect', () => {
    expect(env).toMatchObject({ BERTH_LISTEN: '0.0.0.0:5050', BERTH_DATA: '/data' });
    expect(ops(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['5050']);
    expect(JSON.parse(ops(runtime, 'VOLUME')[0]!.args)).toEqual(['/data']);
    const deployment = parse(readFileSync(resolve(ROOT, 'deploy/kustomize/base/deployment.yaml'), 'utf8'));
    const pod = deployment.spec.template.spec;
    expect([pod.securityContext.runAsUser, pod.securityContext.runAsGroup]).toEqual([uid, gid]);
    expect(pod.containers[0].ports[0].containerPort).toBe(5050);
    expect(pod.containers[0].args).toEqual(JSON.parse(ops(runtime, 'CMD')[0]!.args));
  });

  it('builds dist/ with `npm run build` and ships only dist/, bin/, package*.json and production node_modules', () => {
    const build = stages.find((s) => ops(s, 'RUN').some((r) => /\bnpm ci\b(?!.*--omit=dev)/.test(r.args)) && ops(s, 'RUN').some((r) => r.args.includes('npm run build')))!;
    expect(build, 'a stage runs npm ci and npm run build').toBeDefined();
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json && node web/build.mjs');
    const buildInputs = ops(build, 'COPY').flatMap((c) => copyParts(c.args).sources);
    expect(buildInputs, 'the build stage has the sources the build script reads').toEqual(expect.arrayContaining(['src', 'web', 'tsconfig.json', 'tsconfig.build.json']));
    expect(JSON.parse(readFileSync(resolve(ROOT, 'tsconfig.build.json'), 'utf8')).compilerOptions.outDir).toBe('dist');
    const prod = stages.find((s) => ops(s, 'RUN').some((r) => /\bnpm ci\b.*--omit=dev/.test(r.args)))!;
    expect(prod, 'a stage runs npm ci --omit=dev').toBeDefined();
    const copies = ops(runtime, 'COPY').map((c) => copyParts(c.args));
    expect(copies.map((c) => c.dest).sort()).toEqual(['./', './bin', './dist', './node_modules']);
    for (const c of copies.filter((c) => c.flags.from)) {
      expect(c.flags.from).toBe(c.dest === './dist' ? build.name : prod.name);
      expect(c.sources, c.dest).toEqual([`${workdir(c.flags.from!)}/${c.dest.replace('./', '')}`]);
    }
    expect(copies.filter((c) => !c.flags.from).flatMap((c) => c.sources).sort()).toEqual(['bin', 'package-lock.json', 'package.json']);
  });

  it('.dockerignore keeps host build outputs out and every copied source in', () => {
    for (const path of ['node_modules', 'dist', 'data', '.git', 'data/berth.db', 'node_modules/better-sqlite3/build']) expect(dockerignored(path), path).toBe(true);
    const sources = stages.flatMap((s) => ops(s, 'COPY').map((c) => copyParts(c.args)).filter((c) => !c.flags.from).flatMap((c) => c.sources));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(resolve(ROOT, source)), source).toBe(true);
      expect(dockerignored(source), source).toBe(false);
    }
    expect(dockerignored('src/core/errors.ts')).toBe(false);
  });

  describe('runtime stage, re-enacted on the host', () => {
    const work = mkdtempSync(join(tmpdir(), 'berth-image-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('serves /healthz and /readyz as the image user from a pruned, read-only copy and drains on SIGTERM', async () => {
      expect(existsSync(resolve(ROOT, 'dist/cli/index.js')), 'dist/ is built (npm run build)').toBe(true);
      const app = join(work, 'app');
      const data = join(work, 'data');
      mkdirSync(app);
      mkdirSync(data);
      for (const entry of ['dist', 'bin', 'package.json', 'package-lock.json', 'node_modules']) cpSync(resolve(ROOT, entry), join(app, entry), { recursive: true });
      execFileSync('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: app, stdio: 'pipe' });
      expect(existsSync(join(app, 'node_modules/vitest')), 'dev dependencies are pruned').toBe(false);
      expect(existsSync(join(app, 'node_modules/better-sqlite3')), 'production dependencies stay').toBe(true);
      const asRoot = process.getuid?.() === 0;
      chmodSync(work, 0o755);
      execFileSync('chmod', ['-R', 'go+rX,go-w', app]);
      if (asRoot) chownSync(data, uid!, gid!);
      const before = listing(app);

      const port = await freePort();
      const child = spawn(process.execPath, ['bin/berth.js', 'serve'], {
        cwd: app,
        ...(asRoot ? { uid: uid!, gid: gid! } : {}),
        env: {
          PATH: process.env.PATH,
          HOME: '/nonexistent',
          NODE_ENV: 'production',
          BERTH_LISTEN: `127.0.0.1:${port}`,
          BERTH_DATA: data,
          BERTH_LOG_LEVEL: 'warn',
          BERTH_ADMIN_PASSWORD: 'image-test-password',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      try {
        const url = `http://127.0.0.1:${port}`;
        await waitForStart(async () => (await fetch(`${url}/healthz`)).ok, exited, () => output);
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        expect((await fetch(`${url}/v2/`)).status).toBe(401);
        child.kill('SIGTERM');
        expect(await exited, output).toBe(0);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      expect(listing(app), 'nothing is written beside the code').toEqual(before);
      expect(readdirSync(data)).toContain('berth.db');
      if (asRoot) expect(statSync(join(data, 'berth.db')).uid, 'the database file belongs to the image user').toBe(uid);
    });
  });
});

/** The WORKDIR in force at the end of stage `name`, following FROM to earlier stages. */
function workdir(name: string): string | undefined {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return undefined;
  return ops(stage, 'WORKDIR').at(-1)?.args ?? workdir(stage.from);
}

/** Every path under `dir` except inside node_modules. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => !p.startsWith('node_modules')).sort();
}
