/**
 * Throttling of the email/password routes an attacker would repeat: failed logins (guessing a
 * password) and confirmation/reset sends (flooding a mailbox, probing for accounts). Each is
 * counted per account (the email, lower-cased) and per client address; once either count is
 * used up, the request is refused with 429 `TooManyRequests` and the seconds to wait, before
 * any password is checked. A successful login clears its account's failures.
 */
import { AppError } from "@atoll/protocol";
import { AttemptCounter, type AttemptLimit } from "./AttemptCounter.js";

export interface AuthThrottleLimits {
  /** Failed logins per account. */
  readonly login: AttemptLimit;
  /** Failed logins per client address, whatever the account or provider. */
  readonly loginAddress: AttemptLimit;
  /** Confirmation and reset sends (and function calls) per account. */
  readonly send: AttemptLimit;
  /** Confirmation and reset sends per client address. */
  readonly sendAddress: AttemptLimit;
}

const MINUTE = 60_000;

export const DEFAULT_AUTH_THROTTLE: AuthThrottleLimits = {
  login: { max: 10, windowMs: 15 * MINUTE },
  loginAddress: { max: 100, windowMs: 15 * MINUTE },
  send: { max: 5, windowMs: 60 * MINUTE },
  sendAddress: { max: 20, windowMs: 60 * MINUTE },
};

const SPEC_KEYS: Readonly<Record<string, keyof AuthThrottleLimits>> = {
  login: "login",
  "login-address": "loginAddress",
  send: "send",
  "send-address": "sendAddress",
};

/**
 * Reads `login=10/15m,login-address=100/15m,send=5/60m,send-address=20/60m` (any subset; the
 * rest keep their defaults; a count of 0 turns that limit off). Throws a sentence on bad input.
 */
export function parseAuthThrottle(spec: string): AuthThrottleLimits {
  const limits: Record<keyof AuthThrottleLimits, AttemptLimit> = { ...DEFAULT_AUTH_THROTTLE };
  for (const part of spec.split(",")) {
    const match = /^\s*([a-z-]+)=(\d+)\/(\d+)m\s*$/.exec(part);
    const key = match?.[1] === undefined ? undefined : SPEC_KEYS[match[1]];
    if (match === null || key === undefined || Number(match[3]) < 1)
      throw new Error(
        `"${part}" is not <limit>=<count>/<minutes>m with limit one of ${Object.keys(SPEC_KEYS).join(", ")}`,
      );
    limits[key] = { max: Number(match[2]), windowMs: Number(match[3]) * MINUTE };
  }
  return limits;
}

function tooMany(what: string, waitMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError("TooManyRequests", `too many ${what}; try again in ${retryAfterSeconds} s`, {
    details: { retryAfterSeconds },
  });
}

export class AuthThrottle {
  private readonly login: AttemptCounter;
  private readonly loginAddress: AttemptCounter;
  private readonly send: AttemptCounter;
  private readonly sendAddress: AttemptCounter;

  constructor(limits: AuthThrottleLimits = DEFAULT_AUTH_THROTTLE, now: () => number = Date.now) {
    this.login = new AttemptCounter(limits.login, now);
    this.loginAddress = new AttemptCounter(limits.loginAddress, now);
    this.send = new AttemptCounter(limits.send, now);
    this.sendAddress = new AttemptCounter(limits.sendAddress, now);
  }

  /** Throws `TooManyRequests` when the account or the address has no failed logins left. */
  checkLogin(account: string | undefined, address: string): void {
    const wait = Math.max(
      account === undefined ? 0 : this.login.waitFor(account.toLowerCase()),
      this.loginAddress.waitFor(address),
    );
    if (wait > 0) throw tooMany("failed logins", wait);
  }

  loginFailed(account: string | undefined, address: string): void {
    if (account !== undefined) this.login.record(account.toLowerCase());
    this.loginAddress.record(address);
  }

  loginSucceeded(account: string | undefined): void {
    if (account !== undefined) this.login.forget(account.toLowerCase());
  }

  /** Counts a confirmation or reset send; throws `TooManyRequests` when none are left. */
  sendAttempted(account: string | undefined, address: string): void {
    const wait = Math.max(
      account === undefined ? 0 : this.send.waitFor(account.toLowerCase()),
      this.sendAddress.waitFor(address),
    );
    if (wait > 0) throw tooMany("confirmation or reset requests", wait);
    if (account !== undefined) this.send.record(account.toLowerCase());
    this.sendAddress.record(address);
  }
}
