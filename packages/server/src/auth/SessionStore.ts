/**
 * Refresh-token sessions. The refresh token itself is never stored: a session keeps only the
 * digest of the secret embedded in the token, so a leaked store does not leak live tokens.
 * Deleting a session revokes its refresh token and the access tokens issued from it.
 */
import type { DataService } from "../data/types.js";
import { AuthCollection, authCollection, stringField } from "./authCollections.js";
import { digest, newId } from "./secrets.js";

export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
}

export class SessionStore {
  constructor(private readonly system: DataService) {}

  private get sessions() {
    return authCollection(this.system, AuthCollection.sessions);
  }

  /**
   * `token` is the signed refresh token; only its digest is kept. A session opened with an
   * API key remembers the key, so that disabling or deleting the key ends it.
   */
  async create(
    userId: string,
    deviceId: string,
    sign: (sessionId: string) => Promise<string>,
    apiKeyId?: string,
  ): Promise<{ session: Session; token: string }> {
    const id = newId();
    const token = await sign(id);
    await this.sessions.insertOne({
      _id: id,
      userId,
      deviceId,
      tokenDigest: digest(token),
      createdAt: new Date(),
      ...(apiKeyId === undefined ? {} : { apiKeyId }),
    });
    return { session: { id, userId, deviceId }, token };
  }

  /** The live session a refresh token names, or undefined when revoked or superseded. */
  async findByRefreshToken(sessionId: string, token: string): Promise<Session | undefined> {
    const doc = await this.sessions.findOne({ _id: sessionId });
    if (doc === null || stringField(doc, "tokenDigest") !== digest(token)) return undefined;
    return {
      id: sessionId,
      userId: stringField(doc, "userId"),
      deviceId: stringField(doc, "deviceId"),
    };
  }

  async exists(sessionId: string): Promise<boolean> {
    return (await this.sessions.findOne({ _id: sessionId }, { projection: { _id: 1 } })) !== null;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.sessions.deleteOne({ _id: sessionId });
  }

  /** Revokes the sessions opened with the API key; returns their ids. */
  async revokeOpenedWith(apiKeyId: string): Promise<string[]> {
    const opened = await this.sessions.find({ apiKeyId }, { projection: { _id: 1 } });
    await this.sessions.deleteMany({ apiKeyId });
    return opened.map((doc) => stringField(doc, "_id"));
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.sessions.deleteMany({ userId });
  }
}
