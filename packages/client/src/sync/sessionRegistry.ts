/**
 * The one process-wide registry of sync sessions: one session (and one subscription store) per
 * realm file, shared by every Realm instance open on it, ended when the last one closes. It is
 * the only global state of the sync client, so many clients (files) can run in one process.
 */
import type { SubscriptionStore } from "./SubscriptionStore.js";
import type { SyncSession } from "./SyncSession.js";

export interface SyncAttachment {
  readonly session: SyncSession;
  readonly subscriptions: SubscriptionStore;
}

const attachments = new Map<string, { attachment: SyncAttachment; users: number }>();

export function acquireSync(key: string, create: () => SyncAttachment): SyncAttachment {
  const entry = attachments.get(key);
  if (entry) {
    entry.users++;
    return entry.attachment;
  }
  const attachment = create();
  attachments.set(key, { attachment, users: 1 });
  return attachment;
}

export function releaseSync(key: string, attachment: SyncAttachment): void {
  const entry = attachments.get(key);
  if (!entry || entry.attachment !== attachment) return;
  if (--entry.users > 0) return;
  attachments.delete(key);
  attachment.session.close();
}
