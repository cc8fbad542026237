package bridge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/qoltanba/qoltanba/internal/verifytest"
	"github.com/qoltanba/qoltanba/signer/cms"
	"github.com/qoltanba/qoltanba/signer/gost"
	"github.com/qoltanba/qoltanba/signer/gost/enginetest"
	"github.com/qoltanba/qoltanba/sync/store"
)

const origin = "https://portal.test"

// basicsResult reads a basics reply's result array.
func basicsResult(t *testing.T, reply string) []string {
	t.Helper()
	var r struct {
		Status bool
		Body   struct{ Result []string }
	}
	if err := json.Unmarshal([]byte(reply), &r); err != nil || !r.Status || len(r.Body.Result) == 0 {
		t.Fatalf("basics reply %.300s (%v)", reply, err)
	}
	return r.Body.Result
}

// commonResult reads a commonUtils reply's responseObject string.
func commonResult(t *testing.T, reply string) string {
	t.Helper()
	var r struct {
		Code           string
		ResponseObject string
	}
	if err := json.Unmarshal([]byte(reply), &r); err != nil || r.Code != "200" {
		t.Fatalf("commonUtils reply %.300s (%v)", reply, err)
	}
	return r.ResponseObject
}

// writeTemp writes data to a file in dir.
func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// opensslVerify checks a CMS with `openssl cms -verify` against the RSA
// test root; content is the detached content or nil. It returns what
// openssl says the signed content is.
func opensslVerify(t *testing.T, der, content []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skipf("openssl absent (%v): scripts/deps.sh test installs it", err)
	}
	dir := t.TempDir()
	p := testPKI(t)
	root := writeTemp(t, dir, "root.pem", append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Roots["rsa"].Cert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CAs["rsa"].Cert.Raw})...))
	in := writeTemp(t, dir, "sig.der", der)
	out := filepath.Join(dir, "out")
	args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-CAfile", root, "-purpose", "any", "-out", out}
	if content != nil {
		args = append(args, "-content", writeTemp(t, dir, "content", content))
	}
	if msg, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
		t.Fatalf("openssl cms -verify: %v\n%s", err, msg)
	}
	got, _ := os.ReadFile(out)
	return got
}

// signerOf is the certificate of the last signature in a CMS, checked by
// our verifier.
func signerOf(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	ev, err := cms.Verify(der, nil)
	if err != nil || len(ev) == 0 {
		t.Fatalf("our verifier: %d signatures, %v", len(ev), err)
	}
	return ev[len(ev)-1].Certificate
}

// TestSignOverSocket: what portals ask most, over wss, checked by the
// independent verifiers and signed by the key the user chose.
func TestSignOverSocket(t *testing.T) {
	f := newFixture(t)
	port, certs := f.serve(t)
	c := dial(t, port, certs, origin)
	head := testPKI(t).Find("rsa/legal_head").Cert
	hello := []byte("Келісім / Соглашение / Agreement № 7")
	b64 := base64.StdEncoding.EncodeToString(hello)

	t.Run("basics cms attached", func(t *testing.T) {
		reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"`+b64+`",
			"signingParams":{"decode":true,"encapsulate":true},"signerParams":{"extKeyUsageOids":[],"chain":[]},"locale":"ru"}}`)
		res := basicsResult(t, reply)
		block, _ := pem.Decode([]byte(res[0]))
		if block == nil || block.Type != "CMS" {
			t.Fatalf("not a PEM CMS: %.100s", res[0])
		}
		if got := opensslVerify(t, block.Bytes, nil); string(got) != string(hello) {
			t.Errorf("signed content %q", got)
		}
		if cert := signerOf(t, block.Bytes); !cert.Equal(head) {
			t.Errorf("signed by %s, not the chosen key", cert.Subject)
		}
	})
	t.Run("basics cms detached with a timestamp, 3 documents, one password", func(t *testing.T) {
		before := f.prompts.secrets
		docs := []string{b64, base64.StdEncoding.EncodeToString([]byte("2")), base64.StdEncoding.EncodeToString([]byte("3"))}
		data, _ := json.Marshal(docs)
		reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":`+string(data)+`,
			"signingParams":{"decode":true,"encapsulate":false,"digested":false,"tsaProfile":{}},"signerParams":{"extKeyUsageOids":["1.3.6.1.5.5.7.3.4"],"chain":[]}}}`)
		res := basicsResult(t, reply)
		if len(res) != 3 {
			t.Fatalf("%d signatures", len(res))
		}
		for i, sig := range res {
			der, err := cms.Decode([]byte(sig))
			if err != nil {
				t.Fatal(err)
			}
			content, _ := base64.StdEncoding.DecodeString(docs[i])
			opensslVerify(t, der, content)
			if !strings.Contains(string(der), "\x06\x0b\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x02\x0e") {
				t.Errorf("signature %d carries no timestamp token", i+1)
			}
		}
		if f.prompts.secrets-before != 1 {
			t.Errorf("%d password entries for a batch of 3", f.prompts.secrets-before)
		}
	})
	t.Run("basics cms over a hash", func(t *testing.T) {
		sum := sha256.Sum256(hello)
		reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"`+base64.StdEncoding.EncodeToString(sum[:])+`",
			"signingParams":{"decode":true,"encapsulate":false,"digested":true},"signerParams":{"chain":[]}}}`)
		der, err := cms.Decode([]byte(basicsResult(t, reply)[0]))
		if err != nil {
			t.Fatal(err)
		}
		opensslVerify(t, der, hello)
		last := f.prompts.consents[len(f.prompts.consents)-1]
		if !last.Documents[0].Digest {
			t.Errorf("the consent does not say a hash is signed: %+v", last.Documents[0])
		}
	})
	t.Run("commonUtils signXml", func(t *testing.T) {
		reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.commonUtils","method":"signXml","args":["PKCS12","SIGNATURE","<login><nonce>42</nonce></login>","",""]}`)
		verifytest.XMLSec(t, testPKI(t), "signXml", []byte(commonResult(t, reply)))
	})
	t.Run("commonUtils createCMSSignatureFromBase64", func(t *testing.T) {
		reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.commonUtils","method":"createCMSSignatureFromBase64","args":["PKCS12","SIGNATURE","`+b64+`",true]}`)
		der, err := base64.StdEncoding.DecodeString(commonResult(t, reply))
		if err != nil {
			t.Fatal(err)
		}
		if got := opensslVerify(t, der, nil); string(got) != string(hello) {
			t.Errorf("signed content %q", got)
		}
		// A second signer adds to it: passing the CMS co-signs.
		f.prompts.Key = "gost_legal_head"
		defer func() { f.prompts.Key = "rsa_legal_head" }()
		reply = roundTrip(t, c, `{"module":"kz.gov.pki.knca.commonUtils","method":"createCAdESFromBase64","args":["PKCS12","SIGNATURE","`+base64.StdEncoding.EncodeToString(der)+`",true]}`)
		both, err := base64.StdEncoding.DecodeString(commonResult(t, reply))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := cms.Verify(both, nil)
		if err != nil || len(ev) != 2 {
			t.Fatalf("co-signed CMS: %d signatures, %v", len(ev), err)
		}
	})
	t.Run("GOST key", func(t *testing.T) {
		f.prompts.Key = "gost_legal_head"
		defer func() { f.prompts.Key = "rsa_legal_head" }()
		reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"`+b64+`",
			"signingParams":{"decode":true,"encapsulate":true},"signerParams":{"extKeyUsageOids":["1.3.6.1.5.5.7.3.4","1.2.398.3.3.4.1.2.1"],"chain":[]}}}`)
		der, err := cms.Decode([]byte(basicsResult(t, reply)[0]))
		if err != nil {
			t.Fatal(err)
		}
		if cert := signerOf(t, der); !cert.Equal(testPKI(t).Find("gost/legal_head").Cert) {
			t.Errorf("signed by %s", cert.Subject)
		}
	})
	// Everything signed for the website is in the store, with its origin.
	f.bridge.Recorded()
	page, err := f.core.Store.List(context.Background(), store.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	for _, d := range page.Documents {
		if d.Counterparty == origin {
			stored++
		}
	}
	history, err := f.core.WebHistory(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range history {
		if h.Origin != origin {
			t.Errorf("history entry for %q", h.Origin)
		}
	}
	// attached, 3 in a batch, a hash, an XML, a CMS, its co-signature, GOST
	if stored != 7 || len(history) != 9 {
		t.Errorf("%d documents stored for %s, %d signatures in the history", stored, origin, len(history))
	}
}

// TestSignerConditions: a site's signerParams pick the key: a role the
// key lacks, an IIN that is not the holder's, a test key where only NCA's
// CAs are accepted.
func TestSignerConditions(t *testing.T) {
	f := newFixture(t)
	head := testPKI(t).Find("rsa/legal_head")
	tests := []struct {
		name, params, want string
	}{
		{"role present", `{"extKeyUsageOids":["1.3.6.1.5.5.7.3.4","1.2.398.3.3.4.1.2.1"],"chain":[]}`, `"status":true,"body":{"result"`},
		{"IIN matches", `{"iin":"` + head.IIN + `","chain":[]}`, `"status":true,"body":{"result"`},
		{"employee role missing", `{"extKeyUsageOids":["1.2.398.3.3.4.1.2.5"],"chain":[]}`, `does not match the site's conditions`},
		{"another IIN", `{"iin":"990101300123","chain":[]}`, `the site asks for IIN 990101300123`},
		{"another serial", `{"serialNumber":"0abc","chain":[]}`, `the site asks for the certificate with serial`},
		{"TEST key where NCA is required", `{"extKeyUsageOids":[]}`, `only certificates of NCA RK's current CAs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := string(f.bridge.handle(context.Background(), &session{origin: origin},
				[]byte(`{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","signerParams":`+tt.params+`}}`)))
			if !strings.Contains(reply, tt.want) {
				t.Errorf("reply %.300s\nwant %s", reply, tt.want)
			}
		})
	}
}

// TestBridgeRefuses: what a hostile page or a flood gets.
func TestBridgeRefuses(t *testing.T) {
	f := newFixture(t)
	port, certs := f.serve(t)
	pool := x509.NewCertPool()
	pool.AddCert(certs.CA)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}

	t.Run("foreign Host (DNS rebinding)", func(t *testing.T) {
		req, _ := http.NewRequest("GET", "https://127.0.0.1:"+port+"/", nil)
		req.Host = "evil.example:" + port
		req.Header.Set("Origin", "https://evil.example")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("no Origin", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, resp, err := websocket.Dial(ctx, "wss://127.0.0.1:"+port+"/", &websocket.DialOptions{HTTPClient: client})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("a socket without Origin: %v, %v", resp, err)
		}
	})
	t.Run("heartbeat", func(t *testing.T) {
		c := dial(t, port, certs, origin)
		if got := roundTrip(t, c, Heartbeat); got != Heartbeat {
			t.Errorf("heartbeat answered %q", got)
		}
	})
	t.Run("oversized message, socket kept", func(t *testing.T) {
		f.bridge.MaxMessage = 1 << 20
		defer func() { f.bridge.MaxMessage = 0 }()
		c := dial(t, port, certs, origin)
		big := `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"` + strings.Repeat("A", 2<<20) + `"}}`
		if reply := roundTrip(t, c, big); !strings.Contains(reply, `"code":"INVALID_SIGNING_PARAMS"`) || !strings.Contains(reply, "larger than 1.0 MB") {
			t.Errorf("oversized: %s", reply)
		}
		if reply := roundTrip(t, c, `{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens","args":[]}`); !strings.Contains(reply, `"code":"200"`) {
			t.Errorf("after the oversized message: %s", reply)
		}
	})
	t.Run("denied origin", func(t *testing.T) {
		f.prompts.Permission = Deny
		defer func() { f.prompts.Permission = AllowAlways }()
		c := dial(t, port, certs, "https://denied.test")
		sign := `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","signerParams":{"chain":[]}}}`
		for range 2 {
			if reply := roundTrip(t, c, sign); reply != `{"status":true,"body":{}}` {
				t.Errorf("denied: %s", reply)
			}
		}
		asked := 0
		for _, a := range f.prompts.allows {
			if a.Origin == "https://denied.test" {
				asked++
			}
		}
		if asked != 1 {
			t.Errorf("asked %d times about a denied origin", asked)
		}
	})
	t.Run("socket closed during the dialog", func(t *testing.T) {
		f.prompts.Hold = make(chan struct{})
		defer func() { f.prompts.Hold = nil }()
		consents := len(f.prompts.consents)
		ended := f.prompts.ended.Load()
		c := dial(t, port, certs, "https://closing.test")
		ctx := context.Background()
		c.Write(ctx, websocket.MessageText, []byte(`{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","signerParams":{"chain":[]}}}`))
		waitFor(t, func() bool { return f.prompts.open.Load() == 1 })
		c.CloseNow()
		waitFor(t, func() bool { return f.prompts.ended.Load() == ended+1 })
		if len(f.prompts.consents) != consents {
			t.Error("the consent was shown after the page left")
		}
	})
	t.Run("burst of 200: one dialog at a time", func(t *testing.T) {
		f.prompts.Hold = make(chan struct{})
		f.prompts.maxOpen.Store(0)
		var wg sync.WaitGroup
		replies := make(chan string, 200)
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := dial(t, port, certs, fmt.Sprintf("https://flood%d.test", i%3))
				replies <- roundTrip(t, c, `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"MTEK","signerParams":{"chain":[]}}}`)
			}()
		}
		// All but the one dialog and the few in line are refused at once.
		refused := 0
		for refused < 200-1-MaxWaiting {
			if <-replies == `{"status":true,"body":{}}` {
				refused++
			}
		}
		close(f.prompts.Hold)
		wg.Wait()
		close(replies)
		f.prompts.Hold = nil
		if m := f.prompts.maxOpen.Load(); m != 1 {
			t.Errorf("%d dialogs open at once", m)
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGOSTRawCheckedByEngine: a raw GOST-512 signature a page asked for
// (basics format raw) verifies in OpenSSL's GOST engine under the key's
// certificate.
func TestGOSTRawCheckedByEngine(t *testing.T) {
	f := newFixture(t)
	f.prompts.Key = "gost_legal_head"
	data := []byte("Электрондық шот-фактура № 42")
	reply := string(f.bridge.handle(context.Background(), &session{origin: origin}, []byte(`{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"raw",
		"data":"`+base64.StdEncoding.EncodeToString(data)+`","signingParams":{"decode":true},"signerParams":{"chain":[]}}}`)))
	sig, err := base64.StdEncoding.DecodeString(basicsResult(t, reply)[0])
	if err != nil {
		t.Fatal(err)
	}
	pub, err := gost.PublicKeyFromCertificate(testPKI(t).Find("gost/legal_head").Cert)
	if err != nil {
		t.Fatal(err)
	}
	enginetest.VerifyMessage(t, enginetest.Suite512, pub.Bytes(), data, sig)
}

// TestBasicsOptions: outputCert returns the signer's certificate beside
// the signatures; decode:false signs the text itself (UTF-8).
func TestBasicsOptions(t *testing.T) {
	f := newFixture(t)
	reply := f.bridge.handle(context.Background(), &session{origin: origin}, []byte(`{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms",
		"data":"Мәтін","signingParams":{"decode":false,"encapsulate":true,"outputCert":true},"signerParams":{"chain":[]}}}`))
	var r struct {
		Status bool
		Body   struct {
			Result struct {
				Signatures  []string
				Certificate string
			}
		}
	}
	if err := json.Unmarshal(reply, &r); err != nil || !r.Status || len(r.Body.Result.Signatures) != 1 {
		t.Fatalf("reply %.300s (%v)", reply, err)
	}
	block, _ := pem.Decode([]byte(r.Body.Result.Certificate))
	if block == nil || !bytes.Equal(block.Bytes, testPKI(t).Find("rsa/legal_head").Cert.Raw) {
		t.Errorf("certificate %.100s", r.Body.Result.Certificate)
	}
	der, err := cms.Decode([]byte(r.Body.Result.Signatures[0]))
	if err != nil {
		t.Fatal(err)
	}
	if got := opensslVerify(t, der, nil); string(got) != "Мәтін" {
		t.Errorf("signed %q", got)
	}
}

// TestLargeMessage: a 64 MB request (a scan as base64) is read and signed.
func TestLargeMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MB through the socket: not with -short")
	}
	f := newFixture(t)
	port, certs := f.serve(t)
	c := dial(t, port, certs, origin)
	data := bytes.Repeat([]byte("Q"), 48<<20) // 64 MB as base64
	msg := `{"module":"kz.gov.pki.knca.basics","method":"sign","args":{"format":"cms","data":"` + base64.StdEncoding.EncodeToString(data) +
		`","signingParams":{"decode":true,"encapsulate":false},"signerParams":{"chain":[]}}}`
	if len(msg) < 64<<20 {
		t.Fatalf("the message is only %d bytes", len(msg))
	}
	der, err := cms.Decode([]byte(basicsResult(t, roundTrip(t, c, msg))[0]))
	if err != nil {
		t.Fatal(err)
	}
	opensslVerify(t, der, data)
}
