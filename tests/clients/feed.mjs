// A Socket.IO client driven by Rollcall's integration tests, using the official
// socket.io-client. Usage: node feed.mjs '<json scenario>'.
// Scenario: {url, transport: "websocket"|"polling", auth: "handshake"|"header"|"event"|"none",
//            token, emits: [{event, data}], waitMs, until: {event, count}}
// With `until`, it stops once `count` such events have arrived (or after 20 s);
// otherwise `waitMs` after its emits. With `pauseBeforeEmits` it waits for a line on
// stdin after {"ready": true}, so the test can act first. An emit without `data` sends
// the event with no argument at all.
// Prints {"ready": true} once connected (and authenticated), then one JSON line with
// everything it saw: {connected, connectError, events: [[name, payload]], acks: [...]}.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const s = JSON.parse(process.argv[2]);
const options = { transports: [s.transport || "websocket"], reconnection: false, timeout: 5000 };
if (s.auth === "handshake") options.auth = { token: s.token };
if (s.auth === "header") options.extraHeaders = { Authorization: `Bearer ${s.token}` };

const seen = { connected: false, connectError: null, events: [], acks: [], disconnected: null };
let emitsDone = false;
const untilMet = () => s.until && seen.events.filter((e) => e[0] === s.until.event).length >= s.until.count;
const socket = io(s.url, options);
const finish = () => {
  console.log(JSON.stringify(seen));
  socket.close();
  process.exit(0);
};
socket.onAny((name, payload) => {
  seen.events.push([name, payload]);
  if (emitsDone && untilMet()) finish();
});
socket.on("disconnect", (reason) => {
  seen.disconnected = reason;
  seen.events.push(["disconnect", reason]);
  if (emitsDone && untilMet()) finish();
});
socket.on("connect_error", (err) => {
  seen.connectError = err.message;
  finish();
});
socket.on("connect", async () => {
  seen.connected = true;
  if (s.auth === "event") {
    const answer = await socket.timeout(15000).emitWithAck("authenticate", { token: s.token }).catch((e) => ({ timeout: String(e) }));
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
    const answer = await socket.timeout(15000).emitWithAck(...args).catch((err) => ({ timeout: String(err) }));
    seen.acks.push(answer);
  }
  emitsDone = true;
  if (s.until) {
    if (untilMet()) finish();
  } else {
    setTimeout(finish, s.waitMs ?? 1000);
  }
});
setTimeout(finish, 20000);
