/**
 * A deliberately plain HTTP client for wire-level tests: raw fetch, raw JSON, so that status
 * codes, content types and body shapes are seen exactly as a client library would see them.
 */
import { expect } from "vitest";

export interface Login {
  access_token: string;
  refresh_token: string;
  user_id: string;
  device_id: string;
}

export interface RawResponse {
  status: number;
  type: string | null;
  body: unknown;
}

export class RawClient {
  constructor(private readonly server: { readonly api: string; readonly appId: string }) {}

  async call(path: string, init: RequestInit & { token?: string } = {}): Promise<RawResponse> {
    const headers = new Headers(init.headers);
    if (init.token !== undefined) headers.set("Authorization", `Bearer ${init.token}`);
    if (typeof init.body === "string") headers.set("Content-Type", "application/json");
    const response = await fetch(`${this.server.api}${path}`, { ...init, headers });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
    };
  }

  appPath(suffix: string): string {
    return `/app/${this.server.appId}${suffix}`;
  }

  async anonymousLogin(): Promise<Login> {
    const result = await this.call(this.appPath("/auth/providers/anon-user/login"), {
      method: "POST",
      body: JSON.stringify({ options: { device: { platform: "node" } } }),
    });
    expect(result.status).toBe(200);
    return result.body as Login;
  }

  callFunction(token: string, name: string, args: unknown[] = []): Promise<RawResponse> {
    return this.call(this.appPath("/functions/call"), {
      method: "POST",
      token,
      body: JSON.stringify({ name, arguments: args }),
    });
  }

  async expectStillServing(): Promise<void> {
    expect((await this.call(this.appPath("/location"))).status).toBe(200);
  }
}

export function claimsOf(jwt: string): Record<string, unknown> {
  const [, payload] = jwt.split(".");
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}
