/**
 * A provider's key set served on a free local port, and ID tokens signed with its key, so
 * OAuth sign-in is tested against real HTTP and real signatures without the provider.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { JWTPayload } from "jose";

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

export interface LocalJwks {
  readonly url: string;
  /** An RS256 token signed with the served key (or `key`), valid for an hour unless `claims` say otherwise. */
  sign(claims: JWTPayload, key?: SigningKey): Promise<string>;
  /** A key that is not in the served set, under the same key id. */
  readonly strangerKey: SigningKey;
  close(): Promise<void>;
}

const KEY_ID = "test-key";

export async function startLocalJwks(): Promise<LocalJwks> {
  const served = await generateKeyPair("RS256");
  const stranger = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(served.publicKey)), kid: KEY_ID, alg: "RS256", use: "sig" };
  const server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks`,
    strangerKey: stranger.privateKey,
    sign: (claims, key = served.privateKey) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: KEY_ID })
        .sign(key);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
