#!/usr/bin/env node
// Reference WebSocket echo server built on the node "ws" package.
//
// Usage: NODE_PATH=/usr/share/nodejs node echo_node.js PORTFILE
//            [--max-seconds N] [--tls CERT KEY] [--bind ADDR]
//
// Listens on 127.0.0.1 (or ADDR) on an ephemeral port, writes the port to
// PORTFILE (tmp file + rename) and prints it, echoes text as text and binary
// as binary on every path, exits after N seconds (default 900) or on
// SIGTERM/SIGINT. No permessage-deflate, messages up to 256 MiB.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { WebSocketServer } = require('ws');

const argv = process.argv.slice(2);
let portFile = null, maxSeconds = 900, cert = null, key = null, bind = '127.0.0.1';
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--max-seconds') maxSeconds = Number(argv[++i]);
  else if (argv[i] === '--tls') { cert = argv[++i]; key = argv[++i]; }
  else if (argv[i] === '--bind') bind = argv[++i];
  else if (portFile === null) portFile = argv[i];
  else { console.error('usage: echo_node.js PORTFILE [--max-seconds N] [--tls CERT KEY]'); process.exit(2); }
}
if (portFile === null) { console.error('echo_node.js: PORTFILE missing'); process.exit(2); }

const server = cert
  ? https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) })
  : http.createServer((req, res) => { res.writeHead(404); res.end('websocket only\n'); });
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});

server.listen(0, bind, () => {
  const port = server.address().port;
  const tmp = `${portFile}.tmp.${process.pid}`;
  fs.writeFileSync(tmp, `${port}\n`);
  fs.renameSync(tmp, portFile);
  console.log(port);
});

const quit = () => process.exit(0);
process.on('SIGTERM', quit);
process.on('SIGINT', quit);
setTimeout(() => { console.error('echo_node: max time reached, exiting'); quit(); }, maxSeconds * 1000);
