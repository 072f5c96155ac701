/**
 * Opens the sync WebSocket: the app's sync route, the protocol subprotocols, the access token
 * as a Bearer header. A 401 at the upgrade is reported as `unauthorized` so the session can
 * refresh the token and try again; any other failure as `failed`.
 */
import WebSocket from "ws";
import { offeredSubprotocols } from "@atoll/protocol";

export type SocketOutcome =
  | { readonly kind: "open"; readonly socket: WebSocket }
  | { readonly kind: "unauthorized" }
  | { readonly kind: "failed"; readonly error: Error };

export function openSocket(url: string, accessToken: string | null): Promise<SocketOutcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = accessToken
      ? { Authorization: `Bearer ${accessToken}` }
      : {};
    const socket = new WebSocket(url, offeredSubprotocols(), { headers, perMessageDeflate: false });
    socket.binaryType = "nodebuffer";
    let settled = false;
    const settle = (outcome: SocketOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    socket.once("open", () => settle({ kind: "open", socket }));
    socket.once("unexpected-response", (_request, response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      settle(
        status === 401
          ? { kind: "unauthorized" }
          : { kind: "failed", error: new Error(`Sync upgrade refused with HTTP ${status}`) },
      );
      socket.terminate();
    });
    socket.on("error", (error) => settle({ kind: "failed", error }));
    socket.once("close", () =>
      settle({ kind: "failed", error: new Error("The connection closed during the handshake") }),
    );
  });
}
