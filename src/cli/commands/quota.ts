// `berth quota`: show a project's storage quota, set it (system administrators), list every project's
// and recompute usage. Sizes are read as people write them (10GiB, 500MB, -1 or unlimited).
import type { Command } from 'commander';
import { formatBytes, parseSize } from '../../core/policies/quota-policy.js';
import { apiClient, withServerOptions, type ServerOptions } from '../client.js';
import { printObject, printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean };
interface QuotaView {
  project: string;
  hard: { storage: number };
  used: { storage: number };
  isDefault: boolean;
}

/** Registers `berth quota ...` on `program`. */
export function registerQuotaCommands(program: Command): void {
  const quota = program.command('quota').description('project storage quotas: distinct blobs and manifests a project references');

  withServerOptions(quota.command('show').description("show a project's limit and usage").argument('<project>')).action(async (project: string, o: Opts) => {
    const q = await apiClient(o).request<QuotaView>('GET', quotaPath(project));
    printObject(o.json ? { ...q } : readable(q), !!o.json);
  });

  withServerOptions(quota.command('set').description("set a project's storage limit (system administrators)")
    .argument('<project>')
    .argument('<size>', 'bytes, or with a unit: 10GiB, 500MB, 1.5TiB; -1 or unlimited for no limit; default for the system default'))
    .action(async (project: string, size: string, o: Opts) => {
      const storage = size === 'default' ? null : parseSize(size);
      if (storage === null && size !== 'default') throw new Error(`"${size}" is not a size (examples: 10GiB, 500MB, 1048576, -1, unlimited)`);
      const q = await apiClient(o).request<QuotaView>('PUT', quotaPath(project), { hard: { storage } });
      printObject(o.json ? { ...q } : readable(q), !!o.json);
    });

  withServerOptions(quota.command('ls').description("every project's quota (system administrators)")).action(async (o: Opts) => {
    const rows = await apiClient(o).request<QuotaView[]>('GET', '/api/v1/quotas');
    printRows(o.json ? rows.map((q) => ({ ...q })) : rows.map(readable), ['project', 'hard', 'used', 'percent'], !!o.json);
  });

  withServerOptions(quota.command('recompute').description('recompute usage from the stored manifests (system administrators)').argument('[project]'))
    .action(async (project: string | undefined, o: Opts) => {
      const rows = await apiClient(o).request<Array<Record<string, unknown>>>('POST', '/api/v1/system/quotas/recompute', project ? { project } : {});
      printRows(rows, ['project', 'before', 'after'], !!o.json);
    });
}

function quotaPath(project: string): string {
  return `/api/v1/projects/${encodeURIComponent(project)}/quota`;
}

function readable(q: QuotaView): Record<string, unknown> {
  const hard = q.hard.storage;
  return {
    project: q.project,
    hard: `${formatBytes(hard)}${q.isDefault ? ' (default)' : ''}`,
    used: `${formatBytes(q.used.storage)} (${q.used.storage} bytes)`,
    percent: hard > 0 ? `${((q.used.storage / hard) * 100).toFixed(1)}%` : '-',
  };
}
