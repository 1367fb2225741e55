// CLI commands that move models: push, pull, inspect, ls, tag and rm. They speak the OCI protocol
// to any registry, with credentials from --creds, BERTH_TOKEN or what `berth login`/docker stored.
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { readCredentials } from '../credentials-file.js';
import { printObject, printRows } from '../output.js';
import { createProgress, formatBytes } from '../progress.js';
import { fetchArtifact, pullModel } from '../pull.js';
import { pushModel } from '../push.js';
import type { ClientCredentials } from '../registry/auth.js';
import { RegistryClient } from '../registry/client.js';
import { isLoopbackRegistry, manifestRef, parseReference } from '../registry/reference.js';

interface TransferOpts {
  creds?: string;
  plainHttp?: boolean;
  json?: boolean;
  quiet?: boolean;
  concurrency: string;
  chunkSize: string;
}

/** Adds the options every registry-talking command takes. */
function registryOptions(cmd: Command): Command {
  return cmd
    .option('--creds <user:secret>', 'credentials (default: BERTH_TOKEN, then berth login / docker config)')
    .option('--plain-http', 'use HTTP even for a non-loopback registry')
    .option('--json', 'print JSON for scripts');
}

/** A client for the registry of `ref`, with the caller's credentials. */
export function clientFor(registry: string, opts: { creds?: string | undefined; plainHttp?: boolean | undefined }, env: NodeJS.ProcessEnv = process.env): RegistryClient {
  const plain = !!opts.plainHttp || isLoopbackRegistry(registry);
  let credentials: ClientCredentials;
  if (opts.creds) {
    const colon = opts.creds.indexOf(':');
    if (colon <= 0) throw new Error('--creds must be user:secret');
    credentials = { username: opts.creds.slice(0, colon), secret: opts.creds.slice(colon + 1) };
  } else if (env.BERTH_TOKEN) {
    credentials = { bearer: env.BERTH_TOKEN };
  } else {
    const stored = readCredentials(`${plain ? 'http' : 'https'}://${registry}`, env);
    credentials = stored ? { username: stored.username, secret: stored.secret } : undefined;
  }
  return new RegistryClient(registry, credentials, plain);
}

/** Registers push, pull, inspect, ls, tag and rm. */
export function registerModelCommands(program: Command): void {
  registryOptions(
    program
      .command('push')
      .description('package a model directory (or file) as a ModelPack artifact and push it')
      .argument('<source>', 'model directory or single file')
      .argument('<ref>', '<registry>/<project>/<model>:<tag>')
      .option('--concurrency <n>', 'parallel uploads', '4')
      .option('--chunk-size <MiB>', 'files larger than this go up in chunks of this size', '64')
      .option('-q, --quiet', 'no progress output'),
  ).action(async (source: string, refText: string, o: TransferOpts) => {
    const ref = parseReference(refText, { requireTagOrDigest: true });
    const progress = createProgress({ json: !!o.json, quiet: o.quiet });
    try {
      const result = await pushModel(clientFor(ref.registry, o), source, ref, { concurrency: positive(o.concurrency, 'concurrency'), chunkSize: positive(o.chunkSize, 'chunk-size') * 1024 * 1024, progress });
      progress.close();
      if (o.json) printObject(result as unknown as Record<string, unknown>, true);
      else process.stdout.write(`${result.reference}\n`);
    } finally {
      progress.close();
    }
  });

  registryOptions(
    program
      .command('pull')
      .description('download a model artifact (ModelPack, ORMB or KitOps) into a directory')
      .argument('<ref>', '<registry>/<project>/<model>:<tag> or @sha256:...')
      .argument('<dir>', 'target directory')
      .option('--concurrency <n>', 'parallel downloads', '4')
      .option('-q, --quiet', 'no progress output'),
  ).action(async (refText: string, dir: string, o: TransferOpts) => {
    const ref = parseReference(refText);
    const progress = createProgress({ json: !!o.json, quiet: o.quiet });
    try {
      const result = await pullModel(clientFor(ref.registry, o), ref, dir, { concurrency: positive(o.concurrency, 'concurrency'), progress });
      progress.close();
      if (o.json) printObject(result as unknown as Record<string, unknown>, true);
      else process.stdout.write(`pulled ${result.files.length} files (${result.format}) into ${dir}\n`);
    } finally {
      progress.close();
    }
  });

  registryOptions(program.command('inspect').description('show a model artifact: manifest, config, files and sizes').argument('<ref>')).action(async (refText: string, o: TransferOpts) => {
    const ref = parseReference(refText);
    const { manifest, config, digest, description } = await fetchArtifact(clientFor(ref.registry, o), ref);
    if (o.json) {
      printObject({ digest, format: description.format, manifest, config, files: description.files }, true);
      return;
    }
    const total = description.files.reduce((n, f) => n + f.size, 0);
    printObject({ reference: `${ref.registry}/${ref.repository}:${manifestRef(ref)}`, digest, format: description.format, files: description.files.length, size: formatBytes(total) }, false);
    const facts = (config as { config?: Record<string, unknown> } | undefined)?.config;
    if (facts) {
      process.stdout.write('\n');
      printObject(facts, false);
    }
    process.stdout.write('\n');
    printRows(
      description.files.map((f) => ({ path: f.path ?? '(archive)', size: formatBytes(f.size), kind: f.kind ?? f.packaging, digest: f.digest.slice(0, 19) })),
      ['path', 'size', 'kind', 'digest'],
      false,
    );
  });

  registryOptions(program.command('ls').description('list models and tags of a project').argument('<registry/project>')).action(async (target: string, o: TransferOpts) => {
    const slash = target.indexOf('/');
    if (slash <= 0) throw new Error('write <registry>/<project>, e.g. 127.0.0.1:5050/llm');
    const registry = target.slice(0, slash);
    const project = target.slice(slash + 1).replace(/\/+$/, '');
    const client = clientFor(registry, o);
    const repositories = (await client.catalog()).filter((r) => project === '' || r === project || r.startsWith(`${project}/`));
    const rows = [];
    for (const repository of repositories) rows.push({ model: repository, tags: (await client.listTags(repository)).join(', ') });
    printRows(rows, ['model', 'tags'], !!o.json);
  });

  registryOptions(program.command('tag').description('add a tag to an existing artifact').argument('<ref>').argument('<tag>')).action(async (refText: string, tag: string, o: TransferOpts) => {
    const ref = parseReference(refText);
    const target = parseReference(`${ref.registry}/${ref.repository}:${tag}`);
    const client = clientFor(ref.registry, o);
    const fetched = await client.getManifest(ref.repository, manifestRef(ref));
    await client.putManifest(target.repository, tag, fetched.bytes, fetched.mediaType);
    process.stdout.write(`${ref.registry}/${ref.repository}:${tag}\n`);
  });

  registryOptions(
    program.command('rm').description('delete an artifact (every tag pointing at it), or only its tag').argument('<ref>').option('--tag-only', 'remove just the tag, keep the artifact'),
  ).action(async (refText: string, o: TransferOpts & { tagOnly?: boolean }) => {
    const ref = parseReference(refText, { requireTagOrDigest: true });
    const client = clientFor(ref.registry, o);
    if (o.tagOnly) {
      if (!ref.tag) throw new Error('--tag-only needs a tag');
      await client.deleteManifest(ref.repository, ref.tag);
    } else {
      const fetched = await client.getManifest(ref.repository, manifestRef(ref));
      const digest = fetched.digest ?? `sha256:${createHash('sha256').update(fetched.bytes).digest('hex')}`;
      await client.deleteManifest(ref.repository, digest);
    }
    process.stdout.write(`deleted ${refText}\n`);
  });
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}
