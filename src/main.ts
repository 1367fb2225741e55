// `berth serve`: load the configuration, build the app, listen, and drain in-flight requests on SIGTERM.
// Draining first turns /readyz to 503 (a Kubernetes Service stops routing here), keeps serving for
// `shutdown.delaySeconds`, then closes the listener and lets requests finish within the grace period.
// Upload sessions live in the database, so a client can continue one on another replica.
import pino from 'pino';
import { createApp } from './app.js';
import { loadConfig, type ConfigFlags } from './config/load.js';

/** Runs the server until SIGTERM or SIGINT; resolves once it has shut down. */
export async function serve(flags: ConfigFlags): Promise<void> {
  const config = loadConfig(flags);
  const logger = pino({
    level: config.log.level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.secret', '*.token'], censor: '[redacted]' },
  });
  const app = await createApp(config, logger);
  const [host, port] = splitListen(config.listen);
  const address = await app.http.listen({ host, port });
  if (app.generatedAdminPassword) {
    // Printed once, straight to the terminal and never through the logger.
    process.stderr.write(
      `\nBerth created the system administrator "admin" with the password:\n\n    ${app.generatedAdminPassword}\n\n` +
        `It is shown only this once. Log in with: berth login ${address} -u admin\n` +
        `(Set BERTH_ADMIN_PASSWORD before the first start to choose it; BERTH_AUTH=false turns access control off.)\n\n`,
    );
  }
  if (!config.auth.enabled) logger.warn('access control is off (BERTH_AUTH=false): anyone who can reach Berth can push, pull and delete');
  logger.info(
    { address, data: config.data, database: config.database.driver, storage: config.storage.driver },
    'berth is serving',
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return logger.info({ signal }, 'already draining');
      stopping = true;
      app.drain();
      logger.info({ signal }, 'draining in-flight requests');
      const force = setTimeout(() => {
        logger.warn('grace period over; closing remaining connections');
        app.http.server.closeAllConnections();
      }, config.shutdown.graceSeconds * 1000);
      force.unref();
      let sweep: NodeJS.Timeout | undefined;
      delay(Math.min(config.shutdown.delaySeconds, config.shutdown.graceSeconds) * 1000)
        .then(() => {
          // Keep-alive connections become idle as their last request finishes; close them as they do.
          sweep = setInterval(() => app.http.server.closeIdleConnections(), 100);
          return app.close();
        })
        .catch((err: unknown) => logger.error({ err }, 'error during shutdown'))
        .finally(() => {
          clearTimeout(force);
          clearInterval(sweep);
          logger.info('stopped');
          resolve();
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function splitListen(listen: string): [string, number] {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return [host, Number(listen.slice(colon + 1))];
}
