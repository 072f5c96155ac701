/**
 * The server's Prometheus metrics, served at `GET /metrics` (see docs/deploy.md). Each server
 * has its own registry (several servers in one process stay apart). Labels are bounded sets:
 * route patterns (never concrete paths), provider names, outcomes; no user, token or document
 * ever becomes a label. Values derived from live state (sync connections, history size) are
 * read at scrape time from in-memory figures, so a scrape never touches storage.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { LogEntry } from "../logs/LogEntry.js";

/** What sync reports (the service and its connections call these). */
export interface SyncMetrics {
  /** A frame from a client carrying `changesets` uploaded changesets. */
  uploaded(bytes: number, changesets: number): void;
  /** A frame to a client carrying `changesets` downloaded changesets. */
  downloaded(bytes: number, changesets: number): void;
  /** One uploaded changeset was judged and integrated (waiting for the sync lock included). */
  integrated(seconds: number): void;
}

export const NO_SYNC_METRICS: SyncMetrics = {
  uploaded: () => {},
  downloaded: () => {},
  integrated: () => {},
};

/** Live figures read at each scrape. */
export interface LiveFigures {
  syncConnections(): number;
  /** History entries held: latest server version minus the compaction floor. */
  historyEntries(): number;
  /** The latest server version this node knows of. */
  latestServerVersion(): number;
}

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export class ServerMetrics implements SyncMetrics {
  private readonly registry = new Registry();
  private live: LiveFigures | undefined;
  private readonly httpRequests = new Counter({
    name: "atoll_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: "atoll_logins_total",
    help: "Logins, by authentication provider and outcome",
    labelNames: ["provider", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly functionCalls = new Counter({
    name: "atoll_function_calls_total",
    help: "Function calls (from clients, rules, triggers and other functions), by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly uploadBytes = new Counter({
    name: "atoll_sync_upload_bytes_total",
    help: "Bytes of sync upload frames received",
    registers: [this.registry],
  });
  private readonly uploadChangesets = new Counter({
    name: "atoll_sync_upload_changesets_total",
    help: "Changesets uploaded by devices",
    registers: [this.registry],
  });
  private readonly downloadBytes = new Counter({
    name: "atoll_sync_download_bytes_total",
    help: "Bytes of sync download frames sent",
    registers: [this.registry],
  });
  private readonly downloadChangesets = new Counter({
    name: "atoll_sync_download_changesets_total",
    help: "Changesets sent to devices",
    registers: [this.registry],
  });
  private readonly integration = new Histogram({
    name: "atoll_sync_integration_seconds",
    help: "Time to judge and integrate one uploaded changeset, waiting for the sync lock included",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /**
   * `providers`: the app's provider names; any other name a client sends counts as "unknown".
   * `requestsInFlight`: HTTP requests accepted and not yet answered.
   */
  constructor(
    private readonly providers: ReadonlySet<string>,
    requestsInFlight: () => number,
  ) {
    const figures = (): LiveFigures | undefined => this.live;
    new Gauge({
      name: "atoll_http_requests_in_flight",
      help: "HTTP requests accepted and not yet answered (the scrape itself included)",
      registers: [this.registry],
      collect() {
        this.set(requestsInFlight());
      },
    });
    new Gauge({
      name: "atoll_sync_connections",
      help: "Sync WebSocket connections open on this node",
      registers: [this.registry],
      collect() {
        this.set(figures()?.syncConnections() ?? 0);
      },
    });
    new Gauge({
      name: "atoll_sync_history_entries",
      help: "Sync history entries held (latest server version minus the compaction floor)",
      registers: [this.registry],
      collect() {
        this.set(figures()?.historyEntries() ?? 0);
      },
    });
    new Gauge({
      name: "atoll_sync_server_version",
      help: "The latest sync server version this node knows of",
      registers: [this.registry],
      collect() {
        this.set(figures()?.latestServerVersion() ?? 0);
      },
    });
  }

  /** Where the live figures come from (sync, once started). */
  follow(live: LiveFigures): void {
    this.live = live;
  }

  httpRequest(route: string, method: string, status: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
  }

  /** Counts logins and function calls from the entries the server logs about them. */
  observe(entry: Omit<LogEntry, "time">): void {
    if (entry.type === "function") this.functionCalls.inc({ outcome: entry.outcome });
    const provider = entry.details?.provider;
    if (entry.type === "auth" && typeof provider === "string")
      this.logins.inc({
        provider: this.providers.has(provider) ? provider : "unknown",
        outcome: entry.outcome,
      });
  }

  uploaded(bytes: number, changesets: number): void {
    this.uploadBytes.inc(bytes);
    this.uploadChangesets.inc(changesets);
  }

  downloaded(bytes: number, changesets: number): void {
    this.downloadBytes.inc(bytes);
    if (changesets > 0) this.downloadChangesets.inc(changesets);
  }

  integrated(seconds: number): void {
    this.integration.observe(seconds);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
