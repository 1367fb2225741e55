#!/usr/bin/env node
// A Berth webhook receiver for continuous delivery to KubeAI: when a model's `production` alias is
// set or moved, it renders the KubeAI Model of the new version with Berth's REST API and applies it
// with kubectl. Plain Node.js (>= 20), no dependencies: copy it into your CD job or a small Deployment.
//
//   WEBHOOK_SECRET   the policy's signing secret (required; requests with a bad signature get 401)
//   BERTH_URL        Berth's URL, e.g. https://berth.example.com (required)
//   BERTH_TOKEN      a personal access token or robot secret that may read the project (optional)
//   ALIAS            the alias that means "deploy this" (default production)
//   KUBEAI_QUERY     extra query for the render call, e.g. resourceProfile=nvidia-gpu-l4:1&namespace=models
//   APPLY            the command that receives the manifest on stdin (default: kubectl apply -f -)
//   PORT             where to listen (default 8080)
//
// Create the policy:  berth webhook create <project> --url http://<this>:8080/ --events alias.set,alias.moved --secret <secret>
import { createHmac, timingSafeEqual } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const secret = required('WEBHOOK_SECRET');
const berth = required('BERTH_URL').replace(/\/$/, '');
const alias = process.env.ALIAS || 'production';
const apply = process.env.APPLY || 'kubectl apply -f -';
const seen = new Set(); // event ids already applied: deliveries are at-least-once

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`kubeai-deployer: set ${name}`);
    process.exit(2);
  }
  return value;
}

/** Standard Webhooks check: HMAC-SHA256 over "<id>.<timestamp>.<body>", at most five minutes old. */
function verified(headers, body) {
  const id = headers['webhook-id'];
  const timestamp = Number(headers['webhook-timestamp']);
  if (!id || !Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) return false;
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret);
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
  return String(headers['webhook-signature'] ?? '').split(' ').some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

async function render(model, version) {
  const query = new URLSearchParams(process.env.KUBEAI_QUERY ?? '');
  query.set('revision', version);
  const headers = process.env.BERTH_TOKEN ? { authorization: `Bearer ${process.env.BERTH_TOKEN}` } : {};
  const res = await fetch(`${berth}/api/v1/models/${model}/kubeai?${query}`, { headers });
  if (!res.ok) throw new Error(`rendering ${model}@${version}: ${res.status} ${await res.text()}`);
  return res.text();
}

function run(command, input) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`"${command}" exited with ${code}`))));
    child.stdin.end(input);
  });
}

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!verified(req.headers, body)) return res.writeHead(401).end('bad signature\n');
    const event = JSON.parse(body);
    const data = event.event_data ?? event.data ?? {};
    const wanted = (event.event === 'alias.set' || event.event === 'alias.moved') && data.alias === alias;
    if (!wanted || seen.has(event.id)) return res.writeHead(204).end();
    try {
      await run(apply, await render(data.model, data.version));
      seen.add(event.id);
      console.log(`applied ${data.model}@${data.version} (${alias})`);
      res.writeHead(200).end('applied\n');
    } catch (err) {
      console.error(`kubeai-deployer: ${err.message}`);
      res.writeHead(503).end(); // Berth retries with backoff
    }
  });
}).listen(Number(process.env.PORT || 8080), process.env.HOST || '0.0.0.0', () => console.log(`kubeai-deployer listening on ${process.env.PORT || 8080}`));
