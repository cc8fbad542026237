package bridge

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/internal/verifytest"
	"github.com/qoltanba/qoltanba/signer/cms"
)

// jsDir holds the public client (installed by scripts/deps.sh test from
// the npm registry) and the scripts that drive it.
const jsDir = "testdata/js"

func requireJSClient(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skipf("node absent (%v): the machine's Node.js drives the public client", err)
	}
	if _, err := os.Stat(filepath.Join(jsDir, "node_modules", "ncalayer-js-client", "ncalayer-client.js")); err != nil {
		t.Skipf("ncalayer-js-client not installed (%v): scripts/deps.sh test installs it with npm", err)
	}
}

// portalInputs are what the portal page signs.
type portalInputs struct {
	Data  string   `json:"data"`
	Batch []string `json:"batch"`
	Hash  string   `json:"hash"`
	XML   string   `json:"xml"`
}

var portalText = []byte("Пайдаланушы келісімі / Пользовательское соглашение, ред. 3")

func newPortalInputs() portalInputs {
	sum := sha256.Sum256(portalText)
	b := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	return portalInputs{
		Data:  base64.StdEncoding.EncodeToString(portalText),
		Batch: []string{b("шот-фактура 1"), b("шот-фактура 2"), b("шот-фактура 3")},
		Hash:  base64.StdEncoding.EncodeToString(sum[:]),
		XML:   `<agreement id="7"><accepted>true</accepted></agreement>`,
	}
}

// checkPortalResults verifies what the client got, independently:
// openssl cms for the CMS signatures, xmlsec1 for the XML ones, and the
// signer must be the key the user chose.
func checkPortalResults(t *testing.T, raw []byte, in portalInputs) {
	t.Helper()
	var out map[string]json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("results %s: %v", raw, err)
	}
	str := func(name string) string {
		var s string
		if err := json.Unmarshal(out[name], &s); err != nil {
			t.Fatalf("%s: %s", name, out[name])
		}
		return s
	}
	if v := str("version"); v != "1.4" {
		t.Errorf("version %q", v)
	}
	if string(out["activeTokens"]) != "[]" {
		t.Errorf("activeTokens %s", out["activeTokens"])
	}
	var info KeyInfo
	if err := json.Unmarshal(out["keyInfo"], &info); err != nil || info.SerialNumber != testPKI(t).Find("rsa/legal_head").Cert.SerialNumber.Text(16) {
		t.Errorf("keyInfo %s", out["keyInfo"])
	}
	head := testPKI(t).Find("rsa/legal_head").Cert
	checkCMS := func(name, sig string, content []byte) {
		der, err := cms.Decode([]byte(sig))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		opensslVerify(t, der, content)
		if cert := signerOf(t, der); !cert.Equal(head) {
			t.Errorf("%s signed by %s", name, cert.Subject)
		}
	}
	attached := str("attached")
	if !strings.HasPrefix(attached, "-----BEGIN CMS-----") {
		t.Errorf("basics CMS not PEM: %.60s", attached)
	}
	checkCMS("attached", attached, nil)
	checkCMS("detached", str("detached"), portalText)
	checkCMS("hash", str("hash"), portalText)
	checkCMS("cades", str("cades"), nil)
	var batch []string
	if err := json.Unmarshal(out["array"], &batch); err != nil || len(batch) != 3 {
		t.Fatalf("array %s", out["array"])
	}
	for i, sig := range batch {
		content, _ := base64.StdEncoding.DecodeString(in.Batch[i])
		checkCMS("array", sig, content)
	}
	// basics answers an array (NCALayer 1.4); basicsSignXML hands it on.
	var xmls []string
	if err := json.Unmarshal(out["xml"], &xmls); err != nil || len(xmls) != 1 {
		t.Fatalf("xml %s", out["xml"])
	}
	verifytest.XMLSec(t, testPKI(t), "xml", []byte(xmls[0]))
	verifytest.XMLSec(t, testPKI(t), "signXml", []byte(str("signXml")))
	if !strings.Contains(string(out["ncaOnly"]), "NCA RK's current CAs") {
		t.Errorf("a TEST key signed where the portal asks for NCA's chain: %s", out["ncaOnly"])
	}
}

// TestNodeClient: the public npm client, as portals' scripts use it, from
// Node over wss with the bridge's CA trusted.
func TestNodeClient(t *testing.T) {
	requireJSClient(t)
	f := newFixture(t)
	port, certs := f.serve(t)
	in := newPortalInputs()
	inputs, _ := json.Marshal(in)
	inputsPath := writeTemp(t, t.TempDir(), "inputs.json", inputs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "node-run.js", "wss://127.0.0.1:"+port, "https://portal.test", inputsPath)
	cmd.Dir = jsDir
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+certs.CAPath())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	checkPortalResults(t, out, in)
	if len(f.prompts.allows) != 1 || f.prompts.allows[0].Origin != "https://portal.test" {
		t.Errorf("permission asked %+v", f.prompts.allows)
	}
}

// TestChromiumClient: the same client in a web page in headless Chromium,
// which trusts the bridge only through an NSS database that `bridge
// trust`'s Install wrote: the origin is the page's, sent by the browser.
func TestChromiumClient(t *testing.T) {
	requireJSClient(t)
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skipf("chromium absent (%v): scripts/deps.sh test installs it", err)
	}
	f := newFixture(t)
	port, certs := f.serve(t)
	home := t.TempDir()
	statuses, err := Install(context.Background(), certs, TrustTargets(home))
	if err != nil || len(statuses) == 0 || !statuses[0].Trusted() {
		t.Fatalf("install the CA for Chromium: %+v, %v", statuses, err)
	}

	in := newPortalInputs()
	inputs, _ := json.Marshal(in)
	results := make(chan []byte, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(jsDir, "page.html"))
	})
	mux.HandleFunc("GET /ncalayer-client.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(jsDir, "node_modules", "ncalayer-js-client", "ncalayer-client.js"))
	})
	mux.HandleFunc("GET /calls.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(jsDir, "calls.js"))
	})
	mux.HandleFunc("GET /inputs.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(inputs) })
	mux.HandleFunc("POST /result", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case results <- body:
		default:
		}
	})
	page := httptest.NewServer(mux)
	defer page.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(home, "profile"), page.URL+"/?bridge=wss://127.0.0.1:"+port)
	cmd.Env = append(os.Environ(), "HOME="+home)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	select {
	case raw := <-results:
		if strings.Contains(string(raw), "pageError") {
			t.Fatalf("page: %s", raw)
		}
		checkPortalResults(t, raw, in)
	case <-ctx.Done():
		t.Fatalf("no result from the page\n%s", logs.String())
	}
	if len(f.prompts.allows) != 1 || f.prompts.allows[0].Origin != page.URL {
		t.Errorf("permission asked %+v, want the page's origin %s", f.prompts.allows, page.URL)
	}
}
