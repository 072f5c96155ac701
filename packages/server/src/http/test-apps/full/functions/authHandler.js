exports = function (payload) {
  if (payload.pin !== "1234") throw new Error("wrong pin for " + payload.username);
  return { id: "member-" + payload.username, name: payload.username };
};
