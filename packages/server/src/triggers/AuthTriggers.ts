/**
 * Authentication triggers: a user's creation, login or deletion through one of a trigger's
 * providers runs its function with the authentication event `{operationType, providers,
 * user, time}`. A CREATE trigger finishes before the login that created the user answers, so
 * custom user data it writes is already in the user's first access token; LOGIN and DELETE
 * triggers run in the background. A failing trigger is logged; the user's operation goes on.
 */
import type { AuthEvent, AuthEvents } from "../auth/AuthEvents.js";
import type { AppConfig, AuthenticationTriggerConfig } from "../config/types.js";
import type { TriggerClock } from "./TriggerClock.js";
import { runTrigger, type TriggerRunDeps } from "./triggerRun.js";

export class AuthTriggers implements AuthEvents {
  private readonly background = new Set<Promise<unknown>>();

  private readonly triggers: readonly AuthenticationTriggerConfig[];

  /** The export's enabled authentication triggers. */
  constructor(
    config: Pick<AppConfig, "triggers">,
    private readonly deps: TriggerRunDeps & { readonly clock: TriggerClock },
  ) {
    this.triggers = [...(config.triggers?.values() ?? [])].filter(
      (trigger): trigger is AuthenticationTriggerConfig =>
        trigger.type === "AUTHENTICATION" && !trigger.disabled,
    );
  }

  async announce(event: AuthEvent): Promise<void> {
    const runs = this.triggers
      .filter(
        (trigger) =>
          trigger.operationType === event.operationType &&
          trigger.providers.some((provider) => event.providers.includes(provider)),
      )
      .map((trigger) =>
        runTrigger(this.deps, trigger, [{ ...event, time: this.deps.clock.now() }], {
          userId: event.user.id,
        }),
      );
    if (runs.length === 0) return;
    const all = Promise.all(runs);
    if (event.operationType === "CREATE") {
      await all;
      return;
    }
    this.background.add(all);
    void all.finally(() => this.background.delete(all));
  }

  /** Resolves when the background runs started so far have finished and are logged. */
  async whenIdle(): Promise<void> {
    await Promise.all([...this.background]);
    await this.deps.log.flush();
  }
}
