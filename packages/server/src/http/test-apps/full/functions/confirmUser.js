/* global context */ // App Services functions see `context` as a global.
// Confirms example.com addresses at once, rejects blocked.example, and leaves others pending
// with their token in a collection, where an operator (or a test) can pick it up.
exports = async function ({ token, tokenId, username }) {
  if (username.endsWith("@example.com")) return { status: "success" };
  if (username.endsWith("@blocked.example")) return { status: "fail" };
  await context.services.get("mongodb-atlas").db("mail").collection("outbox").insertOne({ kind: "confirm", username, token, tokenId });
  return { status: "pending" };
};
