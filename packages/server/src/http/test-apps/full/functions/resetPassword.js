/* global context */ // App Services functions see `context` as a global.
exports = async function ({ token, tokenId, username }, answer) {
  if (answer === "blue") return { status: "success" };
  if (answer === "ask-later") {
    await context.services.get("mongodb-atlas").db("mail").collection("outbox").insertOne({ kind: "reset", username, token, tokenId });
    return { status: "pending" };
  }
  return { status: "fail" };
};
