// Berth's Prometheus metrics (prom-client): one registry per app instance, so two apps in one process
// keep apart, plus one process-wide registry for the Node.js/process defaults (they describe the
// process, and collecting them twice would install two GC observers). Gauges that mirror shared
// state (open upload sessions, the DB pool, the webhook backlog) are read at scrape time.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseStats } from '../metadata/sql-stats.js';

/** The API surfaces requests are counted by. */
export const SURFACES = ['oci', 'hf', 'api', 'model_registry', 'auth', 'other'] as const;

/** One API surface. */
export type Surface = (typeof SURFACES)[number];

/** Upload session events counted by the OCI surface. */
export type UploadEvent = 'started' | 'completed' | 'cancelled';

/** BlobStore operations whose failures are counted. */
export const STORAGE_OPERATIONS = [
  'stat',
  'read',
  'openReader',
  'put',
  'delete',
  'createUpload',
  'appendUpload',
  'uploadExists',
  'readUpload',
  'commitUpload',
  'deleteUpload',
  'listUploadsBefore',
] as const;

/** Setters a scrape-time collector uses. */
export interface ScrapeGauges {
  /** Webhook deliveries not yet made (pending and retrying). */
  webhookBacklog(value: number): void;
  /** Each project's quota usage and effective limit in bytes (-1: unlimited, exported as no limit series). */
  projectStorage(projects: ReadonlyArray<{ project: string; used: number; hard: number }>): void;
}

/** A callback run at each scrape to set gauges from live state; one failing does not fail the scrape. */
export type MetricsCollector = (gauges: ScrapeGauges) => void | Promise<void>;

/** What the metrics read at scrape time. */
export interface MetricsOptions {
  /** Open upload sessions and the connection pool. */
  database: DatabaseStats;
  /** Further collectors (the webhook backlog, from the composition root). */
  collect?: readonly MetricsCollector[] | undefined;
}

/** One finished HTTP request, labelled by its route pattern (never its raw URL). */
export interface RequestObservation {
  surface: Surface;
  route: string;
  method: string;
  status: number;
  seconds: number;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

let processRegistry: Registry | undefined;

/** The metrics of one Berth instance. */
export class BerthMetrics {
  /** This instance's metrics (the process defaults are added when rendering). */
  readonly registry = new Registry();
  private readonly requests = this.counter('berth_http_requests_total', 'HTTP requests answered, by surface, route pattern, method and status code.', ['surface', 'route', 'method', 'status']);
  private readonly durations = new Histogram({
    name: 'berth_http_request_duration_seconds',
    help: 'Time from receiving a request to finishing its response, by surface, route pattern, method and status class.',
    labelNames: ['surface', 'route', 'method', 'status_class'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly received = this.counter('berth_http_received_bytes_total', 'Request body bytes received, by surface.', ['surface']);
  private readonly sent = this.counter('berth_http_sent_bytes_total', 'Response body bytes sent, by surface.', ['surface']);
  private readonly uploads: Record<UploadEvent, Counter> = {
    started: this.counter('berth_upload_sessions_started_total', 'OCI upload sessions opened on this instance.'),
    completed: this.counter('berth_upload_sessions_completed_total', 'OCI upload sessions committed as blobs on this instance.'),
    cancelled: this.counter('berth_upload_sessions_cancelled_total', 'OCI upload sessions cancelled on this instance.'),
  };
  private readonly storageErrors = this.counter('berth_storage_errors_total', 'Blob store operations that failed (an absent blob is not a failure), by operation.', ['operation']);
  private readonly collectErrors = this.counter('berth_metrics_collect_errors_total', 'Scrape-time readings that failed (their gauges keep the last value).');
  private readonly webhookBacklog = this.gauge('berth_webhook_backlog', 'Webhook deliveries waiting to be made.');
  private readonly projectUsed = this.gauge('berth_project_storage_bytes', 'Bytes a project uses toward its quota: its distinct blobs and manifests.', ['project']);
  private readonly projectLimit = this.gauge('berth_project_storage_limit_bytes', 'A project\'s storage quota in bytes (absent when unlimited).', ['project']);
  private readonly collectors: MetricsCollector[] = [];
  private readonly processDefaults = (processRegistry ??= defaultsRegistry());

  constructor(options: MetricsOptions) {
    for (const surface of SURFACES) {
      this.received.inc({ surface }, 0);
      this.sent.inc({ surface }, 0);
    }
    for (const operation of STORAGE_OPERATIONS) this.storageErrors.inc({ operation }, 0);
    const { database } = options;
    const inProgress = this.gauge('berth_upload_sessions_in_progress', 'OCI upload sessions open in the database, on every replica.');
    if (database.pool()) {
      const total = this.gauge('berth_db_pool_connections', 'Open connections of the PostgreSQL pool.');
      const idle = this.gauge('berth_db_pool_idle_connections', 'Idle connections of the PostgreSQL pool.');
      const waiting = this.gauge('berth_db_pool_waiting_clients', 'Queries waiting for a PostgreSQL connection.');
      // First, so the pool is seen as it was before the scrape's own queries borrowed from it.
      this.collectors.push(() => {
        const figures = database.pool();
        if (!figures) return;
        total.set(figures.total);
        idle.set(figures.idle);
        waiting.set(figures.waiting);
      });
    }
    this.collectors.push(async () => inProgress.set(await database.uploadsInProgress()), ...(options.collect ?? []));
  }

  /** Counts a finished request and its duration. */
  request(r: RequestObservation): void {
    this.requests.inc({ surface: r.surface, route: r.route, method: r.method, status: String(r.status) });
    this.durations.observe({ surface: r.surface, route: r.route, method: r.method, status_class: `${Math.floor(r.status / 100)}xx` }, r.seconds);
  }

  /** A counter of request body bytes on `surface`, for counting while the body streams. */
  receivedOn(surface: Surface): (bytes: number) => void {
    const child = this.received.labels(surface);
    return (bytes) => child.inc(bytes);
  }

  /** A counter of response body bytes on `surface`. */
  sentOn(surface: Surface): (bytes: number) => void {
    const child = this.sent.labels(surface);
    return (bytes) => child.inc(bytes);
  }

  /** Counts an upload session event. */
  upload(event: UploadEvent): void {
    this.uploads[event].inc();
  }

  /** Counts a failed blob store operation. */
  storageFailure(operation: string): void {
    this.storageErrors.inc({ operation });
  }

  /** Runs the collectors and renders every metric, the process defaults included, as Prometheus text. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const gauges: ScrapeGauges = {
      webhookBacklog: (value) => this.webhookBacklog.set(value),
      projectStorage: (projects) => {
        // Reset first, so a deleted project's series disappears rather than freezing at its last value.
        this.projectUsed.reset();
        this.projectLimit.reset();
        for (const { project, used, hard } of projects) {
          this.projectUsed.set({ project }, used);
          if (hard >= 0) this.projectLimit.set({ project }, hard);
        }
      },
    };
    for (const collect of this.collectors) {
      try {
        await collect(gauges);
      } catch {
        this.collectErrors.inc();
      }
    }
    return { contentType: this.registry.contentType, body: (await this.registry.metrics()) + '\n' + (await this.processDefaults.metrics()) };
  }

  private counter(name: string, help: string, labelNames: string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

function defaultsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
