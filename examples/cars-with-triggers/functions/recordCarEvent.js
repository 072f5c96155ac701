/* global context */ // App Services functions see `context` as a global.
// Records every change event of a car once, under its idempotency key: a delivery repeated
// after a crash increments `deliveries` instead of acting twice.
exports = async function recordCarEvent(changeEvent) {
  if (changeEvent.fullDocument && changeEvent.fullDocument.make === "Crash") {
    throw new Error("this trigger cannot handle crashes");
  }
  const key = `${changeEvent.documentKey._id}:${changeEvent.operationType}:${changeEvent._id._data}`;
  console.log(`recording ${changeEvent.operationType} of ${changeEvent.documentKey._id}`);
  await context.services
    .get("mongodb-atlas")
    .db("triggers")
    .collection("carEvents")
    .updateOne(
      { _id: key },
      { $inc: { deliveries: 1 }, $setOnInsert: { event: changeEvent } },
      { upsert: true },
    );
};
