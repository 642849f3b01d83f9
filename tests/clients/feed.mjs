// A Socket.IO client driven by Rollcall's integration tests, using the official
// socket.io-client. Usage: node feed.mjs '<json scenario>'.
// Scenario: {url, transport: "websocket"|"polling", auth: "handshake"|"header"|"event"|"none",
//            token, emits: [{event, data?}], waitMs, until?, pauseBeforeEmits?}
// Prints {"ready": true} once connected (and authenticated), then one JSON line with
// everything it saw: {connected, connectError, events: [[name, payload]], acks: [...]}.
// With `until` (an event name, or "disconnect") it reports as soon as that arrives after
// its emits, waiting at most waitMs; with `pauseBeforeEmits` it waits for a line on
// stdin after {"ready": true}, so the test can act first. An emit without `data` sends
// the event with no argument at all.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const s = JSON.parse(process.argv[2]);
const options = { transports: [s.transport || "websocket"], reconnection: false, timeout: 5000 };
if (s.auth === "handshake") options.auth = { token: s.token };
if (s.auth === "header") options.extraHeaders = { Authorization: `Bearer ${s.token}` };

const seen = { connected: false, connectError: null, events: [], acks: [], disconnected: null };
const socket = io(s.url, options);
let emitsDone = false;
let untilSeen = false;
const finish = () => {
  console.log(JSON.stringify(seen));
  socket.close();
  process.exit(0);
};
const arrived = (name) => {
  if (s.until && name === s.until) {
    untilSeen = true;
    if (emitsDone) finish();
  }
};
socket.onAny((name, payload) => {
  seen.events.push([name, payload]);
  arrived(name);
});
socket.on("disconnect", (reason) => {
  seen.disconnected = reason;
  arrived("disconnect");
});
socket.on("connect_error", (err) => {
  seen.connectError = err.message;
  finish();
});
socket.on("connect", async () => {
  seen.connected = true;
  if (s.auth === "event") {
    const answer = await socket.timeout(5000).emitWithAck("authenticate", { token: s.token }).catch((e) => ({ timeout: String(e) }));
    seen.acks.push(answer);
  }
  console.log(JSON.stringify({ ready: true }));
  if (s.pauseBeforeEmits) {
    const stdin = createInterface({ input: process.stdin });
    await new Promise((resume) => stdin.once("line", resume));
    stdin.close();
  }
  for (const e of s.emits || []) {
    const args = "data" in e ? [e.event, e.data] : [e.event];
    const answer = await socket.timeout(5000).emitWithAck(...args).catch((err) => ({ timeout: String(err) }));
    seen.acks.push(answer);
  }
  emitsDone = true;
  if (untilSeen) finish();
  setTimeout(finish, s.waitMs ?? 1000);
});
setTimeout(finish, 15000);
