/**
 * Cuts pending local changesets into upload messages: in client-version order, several per
 * message up to about 1 MB of changesets (one larger changeset goes alone), each with the
 * server version it was based on, and the message's progress at the current download cursor.
 */
import type { UploadMessage } from "@atoll/protocol";
import type { PendingUpload } from "./local/syncTypes.js";

/** Upload messages are cut at about this many changeset bytes. */
const UPLOAD_BATCH_BYTES = 1024 * 1024;

export function uploadMessages(
  pending: readonly PendingUpload[],
  serverVersion: number,
): { message: UploadMessage; clientVersions: number[] }[] {
  const batches: PendingUpload[][] = [];
  let batch: PendingUpload[] = [];
  let bytes = 0;
  for (const upload of pending) {
    if (bytes > 0 && bytes + upload.changeset.byteLength > UPLOAD_BATCH_BYTES) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(upload);
    bytes += upload.changeset.byteLength;
  }
  if (batch.length > 0) batches.push(batch);
  return batches.map((uploads) => ({
    message: {
      type: "upload",
      session: 1,
      progress: {
        clientVersion: uploads[uploads.length - 1]!.clientVersion,
        lastIntegratedServerVersion: serverVersion,
      },
      lockedServerVersion: serverVersion,
      changesets: uploads.map((upload) => ({
        clientVersion: upload.clientVersion,
        lastIntegratedServerVersion: upload.lastIntegratedServerVersion,
        originTimestamp: upload.originTimestamp,
        changeset: upload.changeset,
      })),
    },
    clientVersions: uploads.map((upload) => upload.clientVersion),
  }));
}
