/* global context */ // App Services functions see `context` as a global.
exports = async function writeCustomUserData(newCustomUserData) {
  const userId = context.user.id;
  // The function runs as system, so it must pick the document itself: a caller writes only
  // their own custom user data, never another user's (whose token would carry it). Fields the
  // app trusts, like a role, are not the caller's to write either.
  if (typeof newCustomUserData !== "object" || newCustomUserData === null) {
    throw new Error("writeCustomUserData expects an object of custom user data");
  }
  if (newCustomUserData.userId !== undefined && newCustomUserData.userId !== userId) {
    throw new Error("writeCustomUserData writes only the calling user's custom user data");
  }
  for (const field of Object.keys(newCustomUserData)) {
    if (field === "role" || field.includes(".") || field.startsWith("$")) {
      throw new Error(`writeCustomUserData does not write the field "${field}"`);
    }
  }
  const customUserDataCollection = context.services
    .get("mongodb-atlas")
    .db("custom-user-data-database")
    .collection("custom-user-data");
  const filter = { userId };
  // Replace the existing custom user data document with the new one.
  const update = { $set: { ...newCustomUserData, userId } };
  // Insert document if it doesn't already exist
  const options = { upsert: true };
  const res = await customUserDataCollection.updateOne(filter, update, options);
  return res;
};
