/* global context */ // App Services functions see `context` as a global.
exports = function () {
  return { id: context.user.id, type: context.user.type, data: context.user.data };
};
