exports = function () {
  return "only other functions may ask";
};
