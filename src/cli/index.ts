// The `berth` command line. `serve` runs the server; every other command talks to a server over HTTP.
import { Command } from 'commander';
import { registerAccessCommands } from './commands/access.js';
import { registerGcCommands } from './commands/gc.js';
import { registerKubeAICommands } from './commands/kubeai.js';
import { registerModelMetadataCommands } from './commands/model.js';
import { registerModelCommands } from './commands/models.js';
import { registerWebhookCommands } from './commands/webhook.js';
import { registerImmutableCommands } from './commands/immutable.js';
import { registerQuotaCommands } from './commands/quota.js';
import { registerRetentionCommands } from './commands/retention.js';
import { registerRepoCommands } from './commands/repo.js';

/** Parses `argv` and runs the chosen command. */
export async function run(argv: string[]): Promise<void> {
  const program = new Command('berth').description('Berth: a model registry for Kubernetes').showHelpAfterError();
  program
    .command('serve')
    .description('run the Berth server (SQLite + local files under --data unless configured otherwise)')
    .option('--listen <host:port>', 'address to listen on (env BERTH_LISTEN, default 127.0.0.1:5050)')
    .option('--data <dir>', 'data directory (env BERTH_DATA, default ./data)')
    .option('--config <file>', 'JSON configuration file (env BERTH_CONFIG)')
    .action(async (opts: { listen?: string; data?: string; config?: string }) => {
      const { serve } = await import('../main.js');
      await serve(opts);
    });
  registerModelCommands(program);
  registerModelMetadataCommands(program);
  registerAccessCommands(program);
  registerGcCommands(program);
  registerKubeAICommands(program);
  registerWebhookCommands(program);
  registerImmutableCommands(program);
  registerQuotaCommands(program);
  registerRetentionCommands(program);
  registerRepoCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`berth: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
