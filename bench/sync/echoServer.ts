/** A raw WebSocket echo server on a free port, in its own process; tells its parent the port. */
import { WebSocketServer } from "ws";

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
server.on("connection", (socket) =>
  socket.on("message", (data, binary) => socket.send(data, { binary })),
);
server.on("listening", () => {
  const address = server.address();
  process.send?.(typeof address === "object" && address !== null ? address.port : 0);
});
