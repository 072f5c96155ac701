exports = function () {
  throw new Error("boom: the function failed on purpose");
};
