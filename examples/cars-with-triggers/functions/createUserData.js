/* global context */ // App Services functions see `context` as a global.
// The custom user data document of every new user, made when the user is created.
exports = async function createUserData(authEvent) {
  await context.services
    .get("mongodb-atlas")
    .db("custom-user-data-database")
    .collection("custom-user-data")
    .insertOne({ userId: authEvent.user.id, plan: "free", signedUpWith: authEvent.providers });
};
