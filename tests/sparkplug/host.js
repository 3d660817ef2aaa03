// SPDX-License-Identifier: Apache-2.0
// host.js — a Sparkplug B host application for mdc's tests: subscribes to spBv1.0/#, decodes
// every payload with Eclipse Tahu's sparkplug-payload (an implementation independent of mdc's),
// resolves DDATA aliases from the births, and prints one JSON line per message. Commands,
// appended as lines to the CONTROL file: "rebirth GROUP EDGE" (an NCMD with Node
// Control/Rebirth = true), "state online|offline" (the retained Sparkplug 3.0 STATE of HOST_ID).
//   env: PORT (broker on 127.0.0.1), CONTROL (file), HOST_ID (optional)
const fs = require("fs");
const mqtt = require("mqtt");
const sp = require("sparkplug-payload").get("spBv1.0");

const port = Number(process.env.PORT);
const control = process.env.CONTROL;
const hostId = process.env.HOST_ID;
const aliases = {}; // "group/edge/device" -> alias -> {name, type, unit}

const client = mqtt.connect({ host: "127.0.0.1", port, protocolVersion: 4, clean: true,
  clientId: "tahu-host-" + process.pid, reconnectPeriod: 500 });

function plain(v) {
  if (v && typeof v === "object" && typeof v.toNumber === "function") return v.toNumber();
  return v;
}

function describe(topic, msg) {
  const [, group, type, edge, device] = topic.split("/");
  const key = group + "/" + edge + "/" + (device || "");
  const p = sp.decodePayload(msg);
  const out = { topic, type, group, edge, device: device || null, seq: plain(p.seq),
    timestamp: plain(p.timestamp), metrics: [] };
  if (type === "NBIRTH") for (const k of Object.keys(aliases)) if (k.startsWith(group + "/" + edge + "/")) delete aliases[k];
  if (type === "DBIRTH" || type === "NBIRTH") aliases[key] = {};
  for (const m of p.metrics || []) {
    const alias = plain(m.alias);
    const unit = m.properties && m.properties.engUnit ? m.properties.engUnit.value : null;
    if ((type === "DBIRTH" || type === "NBIRTH") && alias !== undefined)
      aliases[key][alias] = { name: m.name, type: m.type, unit };
    const known = (aliases[key] || {})[alias] || {};
    out.metrics.push({ name: m.name !== undefined ? m.name : (known.name || null), alias: alias === undefined ? null : alias,
      datatype: m.type, value: m.isNull ? null : plain(m.value), isNull: !!m.isNull,
      unit: unit, timestamp: plain(m.timestamp), resolved: m.name === undefined });
  }
  return out;
}

client.on("connect", () => {
  client.subscribe("spBv1.0/#", { qos: 1 }, () => console.log("READY"));
});
client.on("message", (topic, msg) => {
  if (topic.startsWith("spBv1.0/STATE/")) return;
  try {
    console.log(JSON.stringify(describe(topic, msg)));
  } catch (e) {
    console.log(JSON.stringify({ topic, error: String(e) }));
  }
});

let done = 0;
function command(line) {
  const [cmd, a, b] = line.trim().split(/\s+/);
  if (cmd === "rebirth") {
    const payload = sp.encodePayload({ timestamp: Date.now(),
      metrics: [{ name: "Node Control/Rebirth", type: "Boolean", value: true }] });
    client.publish("spBv1.0/" + a + "/NCMD/" + b, payload, { qos: 0 }, () => console.log("SENT rebirth"));
  } else if (cmd === "state") {
    client.publish("spBv1.0/STATE/" + hostId, JSON.stringify({ online: a === "online", timestamp: Date.now() }),
      { qos: 1, retain: true }, () => console.log("SENT state " + a));
  }
}
if (control) {
  fs.writeFileSync(control, "", { flag: "a" });
  setInterval(() => {
    const lines = fs.readFileSync(control, "utf8").split("\n").filter((l) => l.trim());
    for (; done < lines.length; done++) command(lines[done]);
  }, 100);
}
