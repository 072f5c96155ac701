exports = function (a, b) {
  console.log(`adding ${a} and ${b}`);
  return a + b;
};
