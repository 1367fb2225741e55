// `berth kubeai manifest <registry>/<project>/<model>:<rev>`: prints a KubeAI Model (or, with
// --kserve, a KServe InferenceService) that serves exactly that version from Berth. The server
// resolves the revision to its commit id and renders the manifest (GET /api/v1/models/.../kubeai),
// so the CLI and `curl` give the same output; warnings go to stderr.
import type { Command } from 'commander';
import { commitIdOf } from '../../core/hub/hub-repo.js';
import { authorizationFor, normaliseServer } from '../client.js';
import { parseReference } from '../registry/reference.js';

interface ManifestOpts {
  engine?: string;
  features?: string;
  resourceProfile?: string;
  minReplicas?: string;
  maxReplicas?: string;
  cacheProfile?: string;
  secret?: string;
  name?: string;
  namespace?: string;
  endpoint?: string;
  arg?: string[];
  kserve?: boolean;
  json?: boolean;
  creds?: string;
  plainHttp?: boolean;
}

/** Registers `berth kubeai manifest`. */
export function registerKubeAICommands(program: Command): void {
  const kubeai = program.command('kubeai').description('deliver models to KubeAI (and KServe) clusters');
  kubeai
    .command('manifest')
    .description('print a KubeAI Model (or KServe InferenceService) pinned to one model version, for kubectl apply -f -')
    .argument('<ref>', '<registry>/<project>/<model>:<tag or alias> or @sha256:<digest>')
    .option('--engine <engine>', 'VLLM (default), Infinity or FasterWhisper')
    .option('--features <list>', 'comma-separated: TextGeneration, TextEmbedding, Reranking, SpeechToText')
    .option('--resource-profile <profile:count>', 'a resource profile of the KubeAI install, e.g. nvidia-gpu-l4:1')
    .option('--min-replicas <n>', 'minimum replicas (default 1)')
    .option('--max-replicas <n>', 'maximum replicas')
    .option('--cache-profile <name>', "a KubeAI cache profile (its loader downloads the model's default revision: only for the version main points at)")
    .option('--secret <name>', 'Secret whose HF_TOKEN key holds an hf_-prefixed robot secret (default berth-<project> for private projects)')
    .option('--name <name>', 'metadata.name (default: from the model name, at most 40 characters)')
    .option('--namespace <namespace>', 'metadata.namespace')
    .option('--endpoint <url>', "Berth's URL as pods reach it (default: the server's external URL)")
    .option('--arg <arg...>', 'extra engine arguments, e.g. --arg=--max-model-len=4096')
    .option('--kserve', 'render a KServe InferenceService instead')
    .option('--json', 'print JSON instead of YAML')
    .option('--creds <user:secret>', 'credentials (default: BERTH_TOKEN, then what `berth login` stored)')
    .option('--plain-http', 'use HTTP even for a non-loopback registry')
    .action(async (refText: string, o: ManifestOpts) => {
      const ref = parseReference(refText);
      const server = o.plainHttp ? `http://${ref.registry}` : normaliseServer(ref.registry);
      const slash = ref.repository.indexOf('/');
      if (slash <= 0 || ref.repository.indexOf('/', slash + 1) !== -1) throw new Error(`"${ref.repository}" is not <project>/<model>, the only shape the Hub API serves`);
      const query = new URLSearchParams({ revision: ref.digest ? commitIdOf(ref.digest) : (ref.tag ?? 'main'), format: o.json ? 'json' : 'yaml' });
      const set = (key: string, value: string | undefined) => value !== undefined && query.set(key, value);
      if (!o.kserve) {
        set('engine', o.engine);
        set('features', o.features);
        set('resourceProfile', o.resourceProfile);
        set('cacheProfile', o.cacheProfile);
        for (const a of o.arg ?? []) query.append('arg', a);
      } else if (o.engine || o.features || o.resourceProfile || o.cacheProfile || o.arg) {
        throw new Error('--engine, --features, --resource-profile, --cache-profile and --arg are KubeAI options; drop them with --kserve');
      }
      set('minReplicas', o.minReplicas);
      set('maxReplicas', o.maxReplicas);
      set('secret', o.secret);
      set('name', o.name);
      set('namespace', o.namespace);
      set('endpoint', o.endpoint);
      const path = `/api/v1/models/${encodeURIComponent(ref.repository.slice(0, slash))}/${encodeURIComponent(ref.repository.slice(slash + 1))}/${o.kserve ? 'kserve' : 'kubeai'}?${query}`;
      const authorization = authorizationFor(server, o.creds);
      const res = await fetch(`${server}${path}`, { headers: authorization ? { authorization } : {} });
      const text = await res.text();
      if (!res.ok) {
        let message = text.slice(0, 300) || res.statusText;
        try {
          const first = (JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }).errors?.[0];
          if (first?.message) message = `${first.message} (${first.code ?? res.status})`;
        } catch {
          // not an error envelope
        }
        throw new Error(message);
      }
      for (const w of warningsOf(res.headers)) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}

/** The texts of `Warning: 299 <agent> "<text>"` headers (RFC 7234 section 5.5). */
function warningsOf(headers: Headers): string[] {
  const value = headers.get('warning');
  if (!value) return [];
  return [...value.matchAll(/299 \S+ "([^"]*)"/g)].map((m) => m[1]!);
}
