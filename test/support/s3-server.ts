// An S3-protocol server for tests: s3rver (npm) on a free loopback port with a fresh bucket in a temp
// directory, or the endpoint named by BERTH_TEST_S3_ENDPOINT / BERTH_TEST_S3_BUCKET (MinIO, Ceph, AWS).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import { freePort } from './ports.js';

/** A running S3 endpoint with a bucket tests may use. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  /** Key prefix that keeps this server's objects apart in a shared external bucket ('' for s3rver). */
  prefix: string;
  /** The BERTH_* and AWS_* variables a Berth process needs to store blobs here. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}

/** True when the tests run against an external endpoint given by env instead of s3rver. */
export const externalS3 = Boolean(process.env.BERTH_TEST_S3_ENDPOINT && process.env.BERTH_TEST_S3_BUCKET);

/** Starts s3rver on a free port with one bucket (or returns the external endpoint, under a fresh prefix). */
export async function startS3Server(): Promise<S3Server> {
  if (externalS3) {
    const endpoint = process.env.BERTH_TEST_S3_ENDPOINT!;
    const bucket = process.env.BERTH_TEST_S3_BUCKET!;
    const prefix = `berth-test-${randomBytes(6).toString('hex')}/`;
    const env: Record<string, string> = {
      BERTH_STORAGE: 's3',
      BERTH_S3_ENDPOINT: endpoint,
      BERTH_S3_BUCKET: bucket,
      BERTH_S3_PREFIX: prefix,
      BERTH_S3_REGION: process.env.BERTH_TEST_S3_REGION ?? 'us-east-1',
      BERTH_S3_FORCE_PATH_STYLE: process.env.BERTH_TEST_S3_FORCE_PATH_STYLE ?? 'true',
    };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      if (process.env[name]) env[name] = process.env[name];
    }
    return { endpoint, bucket, prefix, env, stop: async () => {} };
  }
  const directory = mkdtempSync(join(tmpdir(), 'berth-s3rver-'));
  const port = await freePort();
  const bucket = 'berth-test';
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] }) as S3rverInstance;
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    prefix: '',
    env: {
      BERTH_STORAGE: 's3',
      BERTH_S3_ENDPOINT: endpoint,
      BERTH_S3_BUCKET: bucket,
      BERTH_S3_REGION: 'us-east-1',
      BERTH_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
