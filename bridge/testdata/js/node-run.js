// Runs calls.js from Node against the bridge: node node-run.js URL ORIGIN INPUTS.json
// (NODE_EXTRA_CA_CERTS names the bridge's CA). Node has no browser to send an
// Origin, so the WebSocket the client opens sends the one given, as a page would.
const WS = require('ws');
const fs = require('fs');

const [url, origin, inputsPath] = process.argv.slice(2);
global.WebSocket = class extends WS {
  constructor(address) {
    super(address, { origin });
  }
};
const { NCALayerClient } = require('ncalayer-js-client');
const { runCalls } = require('./calls');

runCalls(NCALayerClient, url, JSON.parse(fs.readFileSync(inputsPath, 'utf8')))
  .then((out) => {
    process.stdout.write(JSON.stringify(out));
    process.exit(0);
  })
  .catch((err) => {
    process.stderr.write(String(err && err.stack));
    process.exit(1);
  });
