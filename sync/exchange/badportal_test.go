package exchange_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/docsign"
	"github.com/qoltanba/qoltanba/sync/exchange"
	"github.com/qoltanba/qoltanba/sync/store"
)

// stubPortal answers /portal properly (with the test PKI's receipt
// certificate) and everything else with what the test says.
func stubPortal(t *testing.T, rest http.HandlerFunc) *httptest.Server {
	info := api.PortalInfo{Name: "stub", Url: "http://stub", ApiVersion: "1",
		ReceiptCertificates: []api.Base64{stubCert(t)}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.BasePath+"/portal" {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(info)
			return
		}
		rest(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

var (
	stubOnce sync.Once
	stubDER  []byte
)

// stubCert is a throw-away self-signed certificate: a stub portal needs a
// receipt certificate to pin, not a PKI.
func stubCert(t *testing.T) []byte {
	stubOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stub portal TEST"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		stubDER, _ = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	})
	return stubDER
}

// loggedInTo adds the stub and gives the account a session without a login.
func loggedInTo(t *testing.T, d *desktop, url string) {
	t.Helper()
	ctx := context.Background()
	a, err := d.engine.Add(ctx, "test", url)
	if err != nil {
		t.Fatal(err)
	}
	a.Session, a.SessionExpires = "stub-session", time.Now().Add(time.Hour)
	if err := d.store.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
}

func docJSON(id, content string, rev int64) api.Document {
	sum := sha256.Sum256([]byte(content))
	return api.Document{Id: id, Revision: rev, Title: "T " + id, Kind: api.DocumentKindOther, Name: id + ".txt", Sha256: hex.EncodeToString(sum[:]),
		ContentVersion: 1, Direction: api.Incoming, Status: api.DocumentStatusAwaitingSignature, Size: int64(len(content))}
}

// TestBadPortal: a portal that answers garbage or HTML, lies about a
// content's digest, or forgets our cursor: clear errors, nothing applied
// twice, nothing lost.
func TestBadPortal(t *testing.T) {
	ctx := context.Background()
	t.Run("HTML everywhere", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Login to the corporate proxy</body></html>"))
		}))
		defer srv.Close()
		d := newDesktop(t, "")
		if _, err := d.engine.Add(ctx, "x", srv.URL); err == nil || !strings.Contains(err.Error(), "not the exchange API") {
			t.Fatalf("add: %v", err)
		}
	})
	t.Run("garbage events", func(t *testing.T) {
		srv := stubPortal(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"events": [{"type": "document", "document": 17}], "next": "x", "hasMore": false}`))
		})
		d := newDesktop(t, "")
		loggedInTo(t, d, srv.URL)
		if _, err := d.engine.Sync(ctx, "test"); !errors.Is(err, exchange.ErrPortal) {
			t.Fatalf("sync: %v", err)
		}
		if cur, _ := d.store.Cursor(ctx, "test"); cur != "" {
			t.Errorf("the cursor moved to %q", cur)
		}
	})
	t.Run("content that does not match its digest", func(t *testing.T) {
		srv := stubPortal(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasSuffix(r.URL.Path, "/content") {
				w.Header().Set("Content-Type", "application/octet-stream")
				w.Write([]byte("swapped on the way"))
				return
			}
			json.NewEncoder(w).Encode(api.EventPage{Events: []api.Event{{Type: api.EventTypeDocument, Document: docJSON("01aaaaaaaaaaaaaaaaaaaaaaaa", "the real text", 1)}}, Next: "c1"})
		})
		d := newDesktop(t, "")
		loggedInTo(t, d, srv.URL)
		_, err := d.engine.Sync(ctx, "test")
		if !errors.Is(err, exchange.ErrPortal) || !strings.Contains(err.Error(), "SHA-256") {
			t.Fatalf("sync: %v", err)
		}
		if links, _ := d.store.Links(ctx, ""); len(links) != 0 {
			t.Errorf("applied %d documents", len(links))
		}
	})
	t.Run("unknown cursor", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.Options{NoTSA: true})
		var forget atomic.Bool
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == api.BasePath+"/events" && r.URL.Query().Get("after") != "" && forget.CompareAndSwap(true, false) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusGone)
				w.Write([]byte(`{"code":"gone","message":"unknown cursor"}`))
				return
			}
			env.HTTP.Config.Handler.ServeHTTP(w, r)
		}))
		defer proxy.Close()
		d := newDesktop(t, "")
		if _, err := d.engine.Add(ctx, "test", proxy.URL); err != nil {
			t.Fatal(err)
		}
		if _, err := d.engine.Login(ctx, "test", d.key("gost/individual_auth"), d.ui); err != nil {
			t.Fatal(err)
		}
		person := env.PKI.Find("gost/individual")
		env.Publish(t, person.IIN, "", "A", "a\n")
		env.Publish(t, person.IIN, "", "B", "b\n")
		if s := d.sync(t); len(s.Received) != 2 {
			t.Fatalf("first sync: %+v", s)
		}
		env.Publish(t, person.IIN, "", "C", "c\n")
		forget.Store(true)
		s := d.sync(t)
		if !s.Resynced || len(s.Received) != 1 {
			t.Fatalf("resync: %+v", s)
		}
		if links, _ := d.store.Links(ctx, ""); len(links) != 3 {
			t.Errorf("%d documents after the resync, want 3", len(links))
		}
	})
	t.Run("receipt by another key", func(t *testing.T) {
		env := portaltest.Start(t, portaltest.Options{NoTSA: true})
		d := newDesktop(t, "")
		d.login(t, env, "gost/individual_auth")
		a, _ := d.store.Account(ctx, "test")
		a.ReceiptCertificates = [][]byte{env.PKI.Find("gost/legal_head").Cert.Raw} // not the portal's
		d.store.PutAccount(ctx, a)
		env.Publish(t, env.PKI.Find("gost/individual").IIN, "", "Doc", "text\n")
		s := d.sync(t)
		q, err := d.engine.SignAndSend(ctx, s.Received[0], d.key("gost/individual"), d.ui, docsign.Options{})
		if err != nil || q.Sent || !errors.Is(q.Err, exchange.ErrReceipt) {
			t.Fatalf("sign and send: %+v %v", q, err)
		}
		out, _ := d.store.Outbox(ctx, "test")
		if len(out) != 1 || !out[0].MayHaveArrived {
			t.Fatalf("outbox: %+v", out)
		}
		if rs, _ := d.store.Receipts(ctx, s.Received[0]); len(rs) != 0 {
			t.Errorf("stored a receipt that does not check")
		}
		if doc, _ := d.store.Document(ctx, s.Received[0]); doc.State != store.StateQueued {
			t.Errorf("state %s", doc.State)
		}
	})
}
