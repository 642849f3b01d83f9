"""A Socket.IO client driven by Rollcall's integration tests, using python-socketio.

Usage: python3 feed.py '<json scenario>' with the same scenario and output as feed.mjs
(including `until`, `pauseBeforeEmits` and emits without `data`).
"""
import json
import sys
import time

import socketio

s = json.loads(sys.argv[1])
seen = {"connected": False, "connectError": None, "events": [], "acks": [], "disconnected": None}
client = socketio.Client(reconnection=False)


@client.on("*")
def any_event(name, *args):
    seen["events"].append([name, args[0] if args else None])


@client.event
def disconnect(*args):
    seen["disconnected"] = "disconnected"
    seen["events"].append(["disconnect", "disconnected"])


auth = {"token": s["token"]} if s.get("auth") == "handshake" else None
headers = {"Authorization": "Bearer " + s["token"]} if s.get("auth") == "header" else {}
try:
    client.connect(s["url"], auth=auth, headers=headers, transports=[s.get("transport", "websocket")],
                   wait_timeout=5)
    seen["connected"] = True
except socketio.exceptions.ConnectionError as e:
    seen["connectError"] = str(e)
    print(json.dumps(seen), flush=True)
    sys.exit(0)
if s.get("auth") == "event":
    seen["acks"].append(client.call("authenticate", {"token": s["token"]}, timeout=15))
print(json.dumps({"ready": True}), flush=True)
if s.get("pauseBeforeEmits"):
    sys.stdin.readline()
for e in s.get("emits", []):
    args = (e["event"], e["data"]) if "data" in e else (e["event"],)
    try:
        seen["acks"].append(client.call(*args, timeout=15))
    except socketio.exceptions.TimeoutError as err:
        seen["acks"].append({"timeout": str(err)})
until = s.get("until")
if until:
    deadline = time.time() + 20
    while time.time() < deadline and sum(1 for e in seen["events"] if e[0] == until["event"]) < until["count"]:
        time.sleep(0.02)
else:
    time.sleep(s.get("waitMs", 1000) / 1000)
print(json.dumps(seen), flush=True)
client.disconnect()
