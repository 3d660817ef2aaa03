// SPDX-License-Identifier: Apache-2.0
// server.js — the OPC UA test peer (node-opcua-server) for mdc's OPC UA tests and benchmark.
//
// Environment:
//   PORT                 TCP port on 127.0.0.1 (0 = any free port)
//   PKI_ROOT             folder for the server's PKI (own certificate made on first start)
//   AUTO_ACCEPT          "0" = do not trust unknown client certificates
//   MAX_NODES_PER_READ   operation limit advertised and enforced (default 1000)
//   TICK_MS              PartCount += 1 every TICK_MS ms (0 = never, the default)
//   BENCH_VARS           number of extra Double variables ns=2;s=Bench.N (default 0)
//   BENCH_RATE           Bench values changed per second (default 0)
//   CONTROL              a file tests append lines to: "set NAME JSON" changes a variable,
//                        "exit" stops
//   CERT_DNS, CERT_IP    the server certificate is made with exactly these subjectAltName host
//                        names and addresses (comma-separated) instead of node-opcua's defaults
//   CERT_URI             ... and this URI (default: the server's ApplicationUri)
//   USER_AUTO_ACCEPT     "0" = X.509 user certificates must be trusted (default: any is)
//   TRUSTED_USER_CERT    a user certificate file (PEM or DER) to trust
//
// Prints "LISTENING <endpoint url> ns=<index> pid=<pid>" once ready, then "CHANNEL opened" and
// "CHANNEL closed tokens=<security tokens issued on it>" for each secure channel, "SESSION
// created" and "SESSION activated".
// Stop with SIGTERM.
"use strict";
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { OPCUAServer } = require("node-opcua-server");
const { OPCUACertificateManager } = require("node-opcua-certificate-manager");
const { SecurityPolicy, MessageSecurityMode } = require("node-opcua-secure-channel");
const { DataType, Variant, VariantArrayType } = require("node-opcua-variant");
const { StatusCodes } = require("node-opcua-status-code");
const { nodesets } = require("node-opcua-nodesets");

const env = (k, d) => (process.env[k] === undefined || process.env[k] === "" ? d : process.env[k]);
const pkiRoot = path.resolve(env("PKI_ROOT", "pki"));
const autoAccept = env("AUTO_ACCEPT", "1") !== "0";
const APPLICATION_URI = "urn:testpeer:server";

// name -> [DataType, initial value, arrayType?]
const BIG = "x".repeat(200000);
const VARS = {
  "Machine.Power": [DataType.Double, 42.5],
  "Machine.ProgStatus": [DataType.Int32, 3],
  "Machine.ProgramName": [DataType.String, "O1234.MPF"],
  "Machine.PartCount": [DataType.Int32, 0],
  "Machine.Running": [DataType.Boolean, true],
  "Types.Boolean": [DataType.Boolean, false],
  "Types.SByte": [DataType.SByte, -5],
  "Types.Byte": [DataType.Byte, 200],
  "Types.Int16": [DataType.Int16, -1234],
  "Types.UInt16": [DataType.UInt16, 65000],
  "Types.Int32": [DataType.Int32, -123456],
  "Types.UInt32": [DataType.UInt32, 4000000000],
  "Types.Int64": [DataType.Int64, [0xfffffffe, 0xfffffffe]], // [high, low] = -4294967298
  "Types.UInt64": [DataType.UInt64, [0x1, 0x2]], // [high, low] = 4294967298
  "Types.Float": [DataType.Float, 1.5],
  "Types.Double": [DataType.Double, -0.25],
  "Types.String": [DataType.String, "héllo \"world\""],
  "Types.DateTime": [DataType.DateTime, new Date(Date.UTC(2026, 10, 22, 6, 0, 5, 123))],
  "Types.ByteString": [DataType.ByteString, Buffer.from([0, 1, 2, 250, 251, 252])],
  "Types.Guid": [DataType.Guid, "72962B91-FA75-4AE6-8D28-B404DC7DAF63"],
  "Types.LocalizedText": [DataType.LocalizedText, { locale: "en", text: "Hello" }],
  "Types.QualifiedName": [DataType.QualifiedName, { namespaceIndex: 2, name: "Q" }],
  "Types.StatusCode": [DataType.StatusCode, StatusCodes.BadNodeIdUnknown],
  "Types.Int32Array": [DataType.Int32, [1, -2, 3], VariantArrayType.Array],
  "Types.DoubleArray": [DataType.Double, [0.5, 1e21, -3], VariantArrayType.Array],
  "Types.StringArray": [DataType.String, ["a", "b\"c", ""], VariantArrayType.Array],
  "Types.BooleanArray": [DataType.Boolean, [true, false], VariantArrayType.Array],
  "Types.EmptyString": [DataType.String, ""],
  "Types.BigString": [DataType.String, BIG],
};

function makeVariant(dt, value, arrayType) {
  if (dt === DataType.Guid) return new Variant({ dataType: dt, value });
  return new Variant({ dataType: dt, value, arrayType: arrayType || VariantArrayType.Scalar });
}

async function certManager(sub, accept) {
  const cm = new OPCUACertificateManager({
    rootFolder: path.join(pkiRoot, sub),
    automaticallyAcceptUnknownCertificate: accept,
  });
  await cm.initialize();
  return cm;
}

// Users log in with X.509 certificates this manager accepts.
async function userCertManager() {
  const cm = await certManager("user", env("USER_AUTO_ACCEPT", "1") !== "0");
  const file = process.env.TRUSTED_USER_CERT;
  if (file) {
    const text = fs.readFileSync(file);
    const pem = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(text.toString("latin1"));
    await cm.trustCertificate(pem ? Buffer.from(pem[1].replace(/\s+/g, ""), "base64") : text);
  }
  return cm;
}

function addVariables(ns, folder) {
  const values = {};
  const nodes = {};
  for (const [name, [dt, init, arrayType]] of Object.entries(VARS)) {
    values[name] = makeVariant(dt, init, arrayType);
    nodes[name] = ns.addVariable({
      componentOf: folder,
      browseName: name.split(".")[1],
      nodeId: "s=" + name,
      dataType: dt,
      valueRank: arrayType ? 1 : -1,
      minimumSamplingInterval: 50,
      accessLevel: "CurrentRead | CurrentWrite",
      userAccessLevel: "CurrentRead | CurrentWrite",
      value: {
        get: () => values[name],
        set: (v) => {
          values[name] = v;
          return StatusCodes.Good;
        },
      },
    });
  }
  return { values, nodes };
}

function addBenchVariables(ns, objects, count) {
  const folder = ns.addObject({ organizedBy: objects, browseName: "Bench", nodeId: "s=Bench" });
  const vars = [];
  for (let i = 0; i < count; i++) {
    vars.push(
      ns.addVariable({
        componentOf: folder,
        browseName: "B" + i,
        nodeId: "s=Bench." + i,
        dataType: DataType.Double,
        minimumSamplingInterval: 50,
        value: new Variant({ dataType: DataType.Double, value: 0 }),
      })
    );
  }
  return vars;
}

function startBenchTicker(vars, rate) {
  if (!vars.length || rate <= 0) return;
  const perTick = Math.max(1, Math.round(rate / 10));
  let next = 0;
  let counter = 0;
  setInterval(() => {
    counter++;
    for (let k = 0; k < perTick; k++) {
      vars[next].setValueFromSource(new Variant({ dataType: DataType.Double, value: counter + k / 1000 }));
      next = (next + 1) % vars.length;
    }
  }, 100);
}

function setFromJson(state, name, json) {
  const spec = VARS[name];
  if (!spec) return console.error("control: unknown variable " + name);
  let v = JSON.parse(json);
  if (spec[0] === DataType.DateTime) v = new Date(v);
  state.values[name] = makeVariant(spec[0], v, spec[2]);
  state.nodes[name].touchValue();
}

// The control file is polled: tests append lines to it.
function listenControl(file, state, server) {
  let offset = 0; // lines written before this server started are not replayed
  try {
    offset = fs.statSync(file).size;
  } catch (e) {
    offset = 0;
  }
  let partial = "";
  setInterval(() => {
    let size;
    try {
      size = fs.statSync(file).size;
    } catch (e) {
      return;
    }
    if (size <= offset) return;
    const fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    fs.closeSync(fd);
    offset = size;
    const lines = (partial + buf.toString("utf8")).split("\n");
    partial = lines.pop();
    for (const line of lines) {
      const m = /^set (\S+) (.*)$/.exec(line.trim());
      if (m) setFromJson(state, m[1], m[2]);
      else if (line.trim() === "exit") stop(server);
    }
  }, 50);
}

let stopping = false;
async function stop(server) {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 2000).unref();
  await server.shutdown(100);
  process.exit(0);
}

// A server certificate with chosen names (to test clients' identity checks); made before
// the server starts, which then uses it as its own.
async function makeServerCertificate(cm) {
  const list = (k) => env(k, "").split(",").filter((x) => x);
  await cm.createSelfSignedCertificate({
    outputFile: path.join(pkiRoot, "server", "own", "certs", "certificate.pem"),
    subject: "/CN=TestPeer/O=mdc tests",
    applicationUri: env("CERT_URI", APPLICATION_URI),
    dns: list("CERT_DNS"),
    ip: list("CERT_IP"),
    startDate: new Date(Date.now() - 3600 * 1000),
    validity: 365,
  });
}

async function main() {
  const serverCertificateManager = await certManager("server", autoAccept);
  if (process.env.CERT_DNS !== undefined || process.env.CERT_IP !== undefined)
    await makeServerCertificate(serverCertificateManager);
  const userCertificateManager = await userCertManager();
  const server = new OPCUAServer({
    port: Number(env("PORT", "0")),
    host: "127.0.0.1",
    hostname: "127.0.0.1",
    alternateHostname: ["localhost", "127.0.0.1"],
    resourcePath: "/UA/TestPeer",
    nodeset_filename: [nodesets.standard],
    serverCertificateManager,
    userCertificateManager,
    securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep],
    securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: true,
    userManager: { isValidUser: (u, p) => u === "operator" && p === "secret" },
    serverInfo: { applicationUri: APPLICATION_URI, productUri: "urn:testpeer", applicationName: { text: "TestPeer" } },
    serverCapabilities: {
      maxSessions: 50,
      operationLimits: { maxNodesPerRead: Number(env("MAX_NODES_PER_READ", "1000")), maxMonitoredItemsPerCall: 1000 },
    },
    maxConnectionsPerEndpoint: 100,
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  const ns = addressSpace.registerNamespace("urn:testpeer:machine");
  const objects = addressSpace.rootFolder.objects;
  const machine = ns.addObject({ organizedBy: objects, browseName: "Machine", nodeId: "s=Machine" });
  const state = addVariables(ns, machine);
  const benchVars = addBenchVariables(ns, objects, Number(env("BENCH_VARS", "0")));
  await server.start();
  const tick = Number(env("TICK_MS", "0"));
  if (tick > 0)
    setInterval(() => {
      const v = state.values["Machine.PartCount"].value + 1;
      state.values["Machine.PartCount"] = makeVariant(DataType.Int32, v);
      state.nodes["Machine.PartCount"].touchValue();
    }, tick);
  startBenchTicker(benchVars, Number(env("BENCH_RATE", "0")));
  if (process.env.CONTROL) listenControl(process.env.CONTROL, state, server);
  process.on("SIGTERM", () => stop(server));
  process.on("SIGINT", () => stop(server));
  server.on("newChannel", () => console.log("CHANNEL opened"));
  server.on("closeChannel", (channel) => console.log(`CHANNEL closed tokens=${channel.securityTokenCount}`));
  server.on("create_session", () => console.log("SESSION created"));
  server.on("session_activated", () => console.log("SESSION activated"));
  const url = server.getEndpointUrl();
  console.log(`LISTENING ${url} ns=${ns.index} pid=${process.pid}`);
}

main().catch((e) => {
  console.error("server failed:", e);
  process.exit(1);
});
