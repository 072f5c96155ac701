import { AuthService } from "../auth/AuthService.js";
import { loadAppConfig } from "../config/loadAppConfig.js";
import type { AppConfig } from "../config/types.js";
import { DataLayer } from "../data/DataLayer.js";
import { FunctionService } from "../functions/FunctionService.js";
import type { LinkDelivery } from "../auth/providers/EmailPasswordAccounts.js";
import { ServerLog, SILENT_CONSOLE } from "../http/ServerLog.js";
import { LogStore } from "../logs/LogStore.js";
import { openStorage } from "../storage/openStorage.js";
import { AuthTriggers } from "../triggers/AuthTriggers.js";
import { systemClock } from "../triggers/TriggerClock.js";
import { defaultStorageSpec } from "./options.js";

export interface AppStoreOptions {
  readonly app: string;
  readonly storage?: string;
}

/**
 * The store a server of this app uses, opened by a command that runs beside it (SQLite in
 * WAL mode lets both read and write). Parts are built on first use: `atoll logs` needs no
 * function sandbox.
 */
export class AppStore {
  private functionService: FunctionService | undefined;
  private authTriggers: AuthTriggers | undefined;
  private constructor(
    readonly config: AppConfig,
    readonly storageSpec: string,
    readonly data: DataLayer,
    readonly logs: LogStore,
    private readonly closeStorage: () => Promise<void>,
  ) {}

  static async open(options: AppStoreOptions): Promise<AppStore> {
    const config = await loadAppConfig(options.app);
    const spec = options.storage ?? defaultStorageSpec(config.appId);
    const storage = await openStorage(spec);
    const data = new DataLayer(storage, config);
    return new AppStore(config, spec, data, new LogStore(data), () => storage.close());
  }

  /**
   * Auth over the store; links a confirmation flow would e-mail are handed to `deliverLink`.
   * The app's authentication triggers run for what it does (a deletion from the CLI).
   */
  async auth(deliverLink: LinkDelivery): Promise<AuthService> {
    const functions = (this.functionService ??= new FunctionService({
      config: this.config,
      data: this.data,
      timeoutMs: 300_000,
    }));
    this.authTriggers ??= new AuthTriggers(this.config, {
      functions,
      log: new ServerLog(this.logs, SILENT_CONSOLE),
      clock: systemClock,
    });
    return AuthService.create({
      config: this.config,
      system: this.data.system(),
      functions,
      deliverLink,
      events: this.authTriggers,
    });
  }

  async close(): Promise<void> {
    await this.authTriggers?.whenIdle();
    this.functionService?.close();
    await this.closeStorage();
  }

  /** Opens the store, runs `work`, and closes it whatever happens. */
  static async use<T>(options: AppStoreOptions, work: (store: AppStore) => Promise<T>): Promise<T> {
    const store = await AppStore.open(options);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }
}
