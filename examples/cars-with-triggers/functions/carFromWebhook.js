/* global context */ // App Services functions see `context` as a global.
// A dealer's system posts a car it sold, signed with the shared secret (the endpoint verifies
// the signature before this runs); the car is written for its owner and syncs to their devices.
exports = async function carFromWebhook(request, response) {
  const { ownerId, make, miles } = JSON.parse(request.body.text());
  const { insertedId } = await context.services
    .get("mongodb-atlas")
    .db("cars-db")
    .collection("Car")
    .insertOne({ ownerId, make, miles });
  response.setStatusCode(201);
  return { insertedId };
};
