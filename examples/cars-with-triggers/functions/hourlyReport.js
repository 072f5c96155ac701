/* global context */ // App Services functions see `context` as a global.
exports = async function hourlyReport() {
  const cars = await context.services
    .get("mongodb-atlas")
    .db("cars-db")
    .collection("Car")
    .count({});
  await context.services
    .get("mongodb-atlas")
    .db("triggers")
    .collection("reports")
    .insertOne({ cars });
};
