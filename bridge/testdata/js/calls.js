// The calls a portal makes, through the public NCALayer client exactly as
// portals use it. Shared by the Node runner and the Chromium page: given the
// client class, the bridge's URL and the inputs, it returns every result
// (or the error each call raised), for the Go test to verify.
(function (exports) {
  exports.runCalls = async function runCalls(NCALayerClient, url, inputs) {
    const client = new NCALayerClient(url, false);
    const out = {};
    const call = async (name, f) => {
      try {
        out[name] = await f();
      } catch (err) {
        out[name] = { error: String(err && err.message), canceledByUser: !!(err && err.canceledByUser) };
      }
    };
    await call('version', () => client.connect());
    await call('activeTokens', () => client.getActiveTokens());
    await call('keyInfo', () => client.getKeyInfo('PKCS12'));
    const signer = NCALayerClient.basicsSignerTestAny;
    const all = NCALayerClient.basicsStorageAll;
    await call('attached', () => client.basicsSignCMS(all, inputs.data, NCALayerClient.basicsCMSParamsAttached, signer));
    await call('detached', () => client.basicsSignCMS(all, inputs.data, NCALayerClient.basicsCMSParamsDetached, signer));
    await call('array', () => client.basicsSignCMS(all, inputs.batch, NCALayerClient.basicsCMSParamsDetachedNoTSP, signer));
    await call('hash', () => client.basicsSignCMS(all, inputs.hash, NCALayerClient.basicsCMSParamsDetachedHash, signer));
    await call('xml', () => client.basicsSignXML(all, inputs.xml, NCALayerClient.basicsXMLParams, signer));
    await call('cades', () => client.createCAdESFromBase64('PKCS12', inputs.data, 'SIGNATURE', true));
    await call('signXml', () => client.signXml('PKCS12', inputs.xml, 'SIGNATURE', '', ''));
    // A production portal's default (chain to NCA RK's CAs) refuses a TEST key.
    await call('ncaOnly', () => client.basicsSignCMS(all, inputs.data, NCALayerClient.basicsCMSParamsAttached, NCALayerClient.basicsSignerSignAny));
    return out;
  };
}(typeof exports === 'undefined' ? window : exports));
