/* global context */ // App Services functions see `context` as a global.
exports = function () {
  return context.request.remoteIPAddress;
};
