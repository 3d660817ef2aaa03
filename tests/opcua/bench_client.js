// SPDX-License-Identifier: Apache-2.0
// bench_client.js — node-opcua-client's Read rate, for comparison with mdc (bench/opcua.sh):
//   node bench_client.js URL NODES SECONDS
"use strict";
const path = require("path");
const os = require("os");
const { OPCUAClient, AttributeIds, MessageSecurityMode, SecurityPolicy } = require("node-opcua-client");
const { OPCUACertificateManager } = require("node-opcua-certificate-manager");

async function main() {
  const [url, nodes, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const clientCertificateManager = new OPCUACertificateManager({
    rootFolder: path.join(process.env.PKI_ROOT || os.tmpdir(), "bench-client-pki"),
    automaticallyAcceptUnknownCertificate: true,
  });
  const client = OPCUAClient.create({
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager,
  });
  await client.connect(url);
  const session = await client.createSession();
  const toRead = [];
  for (let i = 0; i < nodes; i++) toRead.push({ nodeId: `ns=2;s=Bench.${i}`, attributeId: AttributeIds.Value });
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let reads = 0;
  while (process.hrtime.bigint() < end) {
    await session.read(toRead);
    reads++;
  }
  const dt = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`node-opcua-client reads/s ${(reads / dt).toFixed(0)} (${nodes} nodes per Read, ${reads} Reads in ${dt.toFixed(1)} s)`);
  await session.close();
  await client.disconnect();
}

main().catch((e) => {
  console.error("bench client failed:", e.message);
  process.exit(1);
});
