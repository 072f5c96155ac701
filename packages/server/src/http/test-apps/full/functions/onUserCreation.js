/* global context */ // App Services functions see `context` as a global.
exports = async function (user) {
  await context.services
    .get("mongodb-atlas")
    .db("custom-user-data-database")
    .collection("custom-user-data")
    .insertOne({ userId: user.id, plan: "free" });
};
