// `berth gc`: runs garbage collection on a server (or lists its last runs) through the REST API.
import type { Command } from 'commander';
import { apiClient, withServerOptions, type ServerOptions } from '../client.js';
import { printObject, printRows } from '../output.js';

type Opts = ServerOptions & { json?: boolean; dryRun?: boolean; graceSeconds?: string; history?: boolean };
type Row = Record<string, unknown>;

/** Registers `berth gc` on `program`. */
export function registerGcCommands(program: Command): void {
  withServerOptions(program
    .command('gc')
    .description('delete blobs no manifest references (system administrators); --dry-run only reports')
    .option('--dry-run', 'report what would be deleted, delete nothing')
    .option('--grace-seconds <n>', "spare blobs used more recently than this (default: the server's setting)")
    .option('--history', 'list the last runs instead of running one'))
    .action(async (o: Opts) => {
      const api = apiClient(o);
      if (o.history) {
        const runs = await api.request<Row[]>('GET', '/api/v1/system/gc');
        printRows(runs, ['id', 'startedAt', 'dryRun', 'linksDeleted', 'blobsDeleted', 'bytesFreed', 'durationMs', 'error'], !!o.json);
        return;
      }
      const body: Row = { dryRun: !!o.dryRun };
      if (o.graceSeconds !== undefined) {
        if (!/^\d+$/.test(o.graceSeconds)) throw new Error('--grace-seconds takes a whole number of seconds');
        body.graceSeconds = Number(o.graceSeconds);
      }
      printObject(await api.request<Row>('POST', '/api/v1/system/gc', body), !!o.json);
    });
}
