// `berth serve` as a process: probes, draining on SIGTERM, state surviving a restart, no secrets in logs.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startBerth, type BerthProcess } from '../support/berth.js';
import { absolute, digestOf, pushImage } from '../support/oci-client.js';
import { eventually } from '../support/registry-auth.js';

/** Request body bytes the server has read on its OCI surface, from its own metrics. */
async function ociBytesReceived(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^berth_http_received_bytes_total\{surface="oci"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

let berth: BerthProcess | undefined;
afterEach(async () => {
  await berth?.dispose();
  berth = undefined;
});

describe('berth serve', () => {
  it('answers /healthz and /readyz, and /v2/ with the API version header', async () => {
    berth = await startBerth();
    expect((await fetch(`${berth.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${berth.url}/readyz`)).status).toBe(200);
    const v2 = await fetch(`${berth.url}/v2/`);
    expect(v2.status).toBe(200);
    expect(v2.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('finishes an in-flight upload after SIGTERM, then exits cleanly', async () => {
    berth = await startBerth();
    const post = await fetch(`${berth.url}/v2/drain/test/blobs/uploads/`, { method: 'POST' });
    const location = new URL(absolute(berth.url, post.headers.get('location')!));
    const part = Buffer.alloc(64 * 1024, 7);
    const status = new Promise<number>((resolve, reject) => {
      const req = request(
        { host: location.hostname, port: location.port, path: location.pathname, method: 'PATCH', headers: { 'content-type': 'application/octet-stream', 'content-length': part.length * 4 } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write(part);
      // SIGTERM only once the server is reading this body: a request it has not begun is not in flight.
      void eventually(async () => ((await ociBytesReceived(berth!.url)) >= part.length ? true : undefined), 'the first part to arrive', 10_000)
        .then(() => {
          berth!.child.kill('SIGTERM');
          setTimeout(() => req.end(Buffer.concat([part, part, part])), 300);
        })
        .catch(reject);
    });
    expect(await status).toBe(202);
    const code = await berth.stop();
    expect(code, berth.output()).toBe(0);
  });

  it('keeps pushed content and upload sessions across a restart', async () => {
    berth = await startBerth();
    const image = await pushImage(berth.url, 'restart/app', 'v1', ['a', 'b']);
    const post = await fetch(`${berth.url}/v2/restart/app/blobs/uploads/`, { method: 'POST' });
    const location = post.headers.get('location')!;
    await fetch(absolute(berth.url, location), { method: 'PATCH', body: 'hello ', headers: { 'content-range': '0-5' } });
    const { dataDir, host } = berth;
    expect(await berth.stop()).toBe(0);
    berth = await startBerth({ dataDir, port: Number(host.split(':')[1]) });
    const manifest = await fetch(`${berth.url}/v2/restart/app/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    expect(await manifest.text()).toBe(image.bytes);
    const status = await fetch(absolute(berth.url, location));
    expect([status.status, status.headers.get('range')]).toEqual([204, '0-5']);
    const put = await fetch(`${absolute(berth.url, location)}?digest=${digestOf('hello world')}`, { method: 'PUT', body: 'world', headers: { 'content-range': '6-10' } });
    expect(put.status).toBe(201);
  });

  it('never writes credentials to its logs', async () => {
    berth = await startBerth({ env: { BERTH_LOG_LEVEL: 'info' } });
    await fetch(`${berth.url}/v2/`, { headers: { authorization: 'Bearer s3cr3t-token-value' } });
    await fetch(`${berth.url}/v2/x/tags/list`, { headers: { authorization: 'Basic dXNlcjpodW50ZXIy' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(berth.output()).toContain('"url":"/v2/"');
    expect(berth.output()).not.toContain('s3cr3t-token-value');
    expect(berth.output()).not.toContain('dXNlcjpodW50ZXIy');
  });

  it('refuses an invalid configuration with a message naming the setting', async () => {
    await expect(startBerth({ env: { BERTH_LOG_LEVEL: 'loud' } })).rejects.toThrow(/log\.level/);
  });
});
