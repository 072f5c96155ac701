/**
 * Users and their identities. A user is created the first time an identity logs in, can gain
 * identities by linking, can be disabled, and can be deleted (which also removes its
 * identities, sessions and API keys). Identities are indexed one document per identity so that
 * "who owns this identity" is a lookup by `_id`, which every storage engine answers alike.
 */
import { AppError } from "@atoll/protocol";
import type { DataService, Document } from "../data/types.js";
import {
  AuthCollection,
  authCollection,
  booleanField,
  dateField,
  objectField,
  stringField,
} from "./authCollections.js";
import { newId } from "./secrets.js";

export interface Identity {
  /** The provider-scoped id: the JWT `sub`, the auth function's id, an internal id... */
  readonly id: string;
  readonly provider_type: string;
  /** The provider's config name (equal to its type in exports). */
  readonly provider_id: string;
}

export interface StoredUser {
  readonly id: string;
  readonly type: "normal" | "server";
  readonly disabled: boolean;
  /** Provider metadata: email, name, JWT metadata fields. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly identities: readonly Identity[];
  readonly createdAt: Date | undefined;
}

function identityKey(providerType: string, id: string): string {
  return `${providerType}/${id}`;
}

function toIdentities(value: unknown): Identity[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const doc = entry as Document;
    return [
      {
        id: stringField(doc, "id"),
        provider_type: stringField(doc, "provider_type"),
        provider_id: stringField(doc, "provider_id"),
      },
    ];
  });
}

function toUser(doc: Document): StoredUser {
  return {
    id: stringField(doc, "_id"),
    type: doc.type === "server" ? "server" : "normal",
    disabled: booleanField(doc, "disabled"),
    data: objectField(doc, "data"),
    identities: toIdentities(doc.identities),
    createdAt: dateField(doc, "createdAt"),
  };
}

export class UserStore {
  constructor(private readonly system: DataService) {}

  private get users() {
    return authCollection(this.system, AuthCollection.users);
  }

  private get identities() {
    return authCollection(this.system, AuthCollection.identities);
  }

  async get(userId: string): Promise<StoredUser | undefined> {
    const doc = await this.users.findOne({ _id: userId });
    return doc === null ? undefined : toUser(doc);
  }

  async list(): Promise<StoredUser[]> {
    return (await this.users.find({}, { sort: { createdAt: 1 } })).map(toUser);
  }

  async findByIdentity(providerType: string, id: string): Promise<StoredUser | undefined> {
    const link = await this.identities.findOne({ _id: identityKey(providerType, id) });
    if (link === null) return undefined;
    return this.get(stringField(link, "userId"));
  }

  /**
   * Creates a user owning `identity`; `data` is the provider's metadata. When a concurrent
   * first login of the same identity got there first, that user is returned instead
   * (`created: false`): the user document goes in before the identity claim, so a winner's
   * user always exists by the time its claim can be seen.
   */
  async create(
    identity: Identity,
    data: Record<string, unknown>,
    type: "normal" | "server" = "normal",
  ): Promise<{ user: StoredUser; created: boolean }> {
    const id = newId();
    const doc = {
      _id: id,
      type,
      disabled: false,
      data,
      identities: [{ ...identity }],
      createdAt: new Date(),
    };
    await this.users.insertOne(doc);
    try {
      await this.identities.insertOne({
        _id: identityKey(identity.provider_type, identity.id),
        userId: id,
      });
    } catch (error) {
      await this.users.deleteOne({ _id: id });
      const winner = await this.findByIdentity(identity.provider_type, identity.id);
      if (winner === undefined) throw error;
      return { user: winner, created: false };
    }
    return { user: toUser(doc), created: true };
  }

  /**
   * Creates a user moved from another App Services app with its id, identities and metadata,
   * so that each identity signing in again reaches it. "exists" when a user with that id is
   * already here (an import run again); an identity another user owns is refused whole.
   */
  async restore(user: StoredUser, lastSignIn?: Date): Promise<"created" | "exists"> {
    if ((await this.get(user.id)) !== undefined) return "exists";
    for (const identity of user.identities) {
      const owner = await this.findByIdentity(identity.provider_type, identity.id);
      if (owner !== undefined)
        throw new AppError(
          "AccountNameInUse",
          `identity ${identity.provider_type}/${identity.id} already belongs to user ${owner.id}`,
        );
    }
    await this.users.insertOne({
      _id: user.id,
      type: user.type,
      disabled: user.disabled,
      data: { ...user.data },
      identities: user.identities.map((identity) => ({ ...identity })),
      createdAt: user.createdAt ?? new Date(),
      ...(lastSignIn === undefined ? {} : { lastSignInBeforeMove: lastSignIn }),
    });
    for (const identity of user.identities) {
      await this.identities.insertOne({
        _id: identityKey(identity.provider_type, identity.id),
        userId: user.id,
      });
    }
    return "created";
  }

  /** Adds an identity to an existing user (account linking). */
  async link(
    user: StoredUser,
    identity: Identity,
    data: Record<string, unknown>,
  ): Promise<StoredUser> {
    const owner = await this.findByIdentity(identity.provider_type, identity.id);
    if (owner !== undefined) {
      if (owner.id === user.id) return user;
      throw new AppError("AccountNameInUse", "a user already exists with the specified provider");
    }
    await this.identities.insertOne({
      _id: identityKey(identity.provider_type, identity.id),
      userId: user.id,
    });
    const identities = [...user.identities, identity].map((entry) => ({ ...entry }));
    const merged = { ...data, ...user.data };
    await this.users.updateOne({ _id: user.id }, { $set: { identities, data: merged } });
    return { ...user, identities, data: merged };
  }

  /** Refreshes provider metadata at login (e.g. new JWT metadata fields). */
  async updateData(user: StoredUser, data: Record<string, unknown>): Promise<StoredUser> {
    const merged = { ...user.data, ...data };
    await this.users.updateOne({ _id: user.id }, { $set: { data: merged } });
    return { ...user, data: merged };
  }

  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    const result = await this.users.updateOne({ _id: userId }, { $set: { disabled } });
    if (result.matchedCount === 0) throw new AppError("UserNotFound", "user not found");
  }

  /** Removes the user and its identity index entries; sessions and keys are the caller's. */
  async delete(user: StoredUser): Promise<void> {
    for (const identity of user.identities) {
      await this.identities.deleteOne({ _id: identityKey(identity.provider_type, identity.id) });
    }
    await this.users.deleteOne({ _id: user.id });
  }
}
