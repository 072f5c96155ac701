/* global context */ // App Services functions see `context` as a global.
// A new car without a model gets one: the write reaches the devices that sync the car.
exports = async function fillModel(changeEvent) {
  const cars = context.services.get("mongodb-atlas").db("cars-db").collection("Car");
  await cars.updateOne(
    { _id: changeEvent.documentKey._id },
    { $set: { model: `${changeEvent.fullDocument.make} (model filled by a trigger)` } },
  );
};
