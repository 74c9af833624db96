import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What an operator graphs and alerts on, in Prometheus form (`GET /metrics`). One registry per
 * engine, so several engines in one process (tests, simulate) never collide. Gauges of the
 * queue are read from the database when scraped; counters and histograms are kept as it works.
 */
export class EngineMetrics {
  readonly registry = new Registry();

  readonly runs = new Counter({ name: 'robots_runs_total', help: 'Robot runs finished, by outcome and robot type', labelNames: ['status', 'type'] as const, registers: [this.registry] });

  readonly dueLag = new Histogram({
    name: 'robots_run_due_lag_seconds',
    help: 'From when a run was due to when it started',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
    registers: [this.registry],
  });

  readonly runDuration = new Histogram({
    name: 'robots_run_duration_seconds',
    help: 'How long a robot took to run, by type',
    labelNames: ['type'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
    registers: [this.registry],
  });

  readonly sends = new Counter({ name: 'robots_messages_total', help: 'Messages handed to a channel, by channel and outcome', labelNames: ['channel', 'outcome'] as const, registers: [this.registry] });

  readonly httpRequests = new Counter({ name: 'robots_http_requests_total', help: 'HTTP requests, by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });

  readonly httpDuration = new Histogram({
    name: 'robots_http_request_duration_seconds',
    help: 'HTTP request duration, by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  readonly intake = new Gauge({ name: 'robots_intake_refused', help: 'Form and hook requests refused, by reason', labelNames: ['reason'] as const, registers: [this.registry] });

  readonly queueDepth = new Gauge({ name: 'robots_queue_runs', help: 'Runs in the queue, by status', labelNames: ['status'] as const, registers: [this.registry] });

  readonly databaseUp = new Gauge({ name: 'robots_database_up', help: '1 when the database answered the last scrape, 0 when it did not', registers: [this.registry] });

  readonly oldestDueLag = new Gauge({ name: 'robots_queue_oldest_due_lag_seconds', help: 'How long the oldest due run has been waiting', registers: [this.registry] });

  /** Process and Node figures (CPU, memory, event-loop lag, GC): once, by a real process (not by each engine a test starts). */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  runFinished(type: string, status: string, durationMs: number): void {
    this.runs.inc({ status, type });
    this.runDuration.observe({ type }, durationMs / 1000);
  }
}
