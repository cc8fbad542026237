//go:build cgo

package bridge

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/internal/softhsmtest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/pkcs11"
)

// TestSoftHSMTokenThroughBridge: a hardware token (SoftHSM) is a storage
// the page sees in getActiveTokens, its key is offered with its holder
// before any PIN, and it signs with the PIN asked once.
func TestSoftHSMTokenThroughBridge(t *testing.T) {
	softhsmtest.ForTest(t)
	const label = "BRIDGE TOKEN"
	softhsmtest.TestToken(t, label)
	lib := softhsmtest.LoadFor(t)
	e := testPKI(t).Find("rsa/legal_signer")
	if err := lib.ImportRSAKey(label, e.Key.(*rsa.PrivateKey), e.Cert, []byte{7}, filepath.Base(e.Name)); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, pkcs11.ModuleConfig{Path: softhsmtest.Module})
	f.prompts.Key, f.prompts.Password = "legal_signer", softhsmtest.UserPIN
	port, certs := f.serve(t)
	c := dial(t, port, certs, origin)

	var tokens struct {
		Code           string
		ResponseObject []string
	}
	reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens","args":[]}`)
	if err := json.Unmarshal([]byte(reply), &tokens); err != nil || tokens.Code != "200" || len(tokens.ResponseObject) != 1 || tokens.ResponseObject[0] != StorageKaztoken {
		t.Fatalf("getActiveTokens: %s", reply)
	}
	data := base64.StdEncoding.EncodeToString([]byte("Шот-фактура № 12"))
	reply = roundTrip(t, c, `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"allowedStorages":["AKKaztokenStore"],"format":"cms","data":"`+data+`",
		"signingParams":{"decode":true,"encapsulate":true},"signerParams":{"extKeyUsageOids":["1.2.398.3.3.4.1.2.2"],"chain":[]}}}`)
	der, err := cms.Decode([]byte(basicsResult(t, reply)[0]))
	if err != nil {
		t.Fatal(err)
	}
	opensslVerify(t, der, nil)
	if cert := signerOf(t, der); !cert.Equal(e.Cert) {
		t.Errorf("signed by %s, not the token's key", cert.Subject)
	}
	req := f.prompts.keyReqs[len(f.prompts.keyReqs)-1]
	if len(req.Keys) != 1 || req.Keys[0].Token != label || req.Keys[0].Certificate == nil || req.Files {
		t.Errorf("the key dialog offered %+v (files %v): only the token's key, with its holder", req.Keys, req.Files)
	}
	if f.prompts.secrets != 1 {
		t.Errorf("%d PIN entries", f.prompts.secrets)
	}
}
