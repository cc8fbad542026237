package portal_test

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/cmd/qoltanba-portal/portaltest"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/portal"
)

// FuzzRequests sends the portal's handler arbitrary bodies on its write
// endpoints (a logged-in user's): the contract check, the JSON, the CMS and
// the statement parsers. Whatever the bytes: no panic, no 5xx, and a
// refusal in the API's Error shape.
func FuzzRequests(f *testing.F) {
	seeds := []struct {
		path string
		body string
	}{
		{"/documents", `{"title":"t","kind":"letter","name":"a.txt","mediaType":"text/plain","content":"eA==","sha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","signature":"MAA="}`},
		{"/documents/01aaaaaaaaaaaaaaaaaaaaaaaa/rejections", `{"statement":"e30=","signature":"MAA="}`},
		{"/documents/01aaaaaaaaaaaaaaaaaaaaaaaa/signatures", `{"contentVersion":1,"sha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","signature":"MIIB"}`},
		{"/auth/session", `{"challenge":"01aaaaaaaaaaaaaaaaaaaaaaaa","signature":"MAA="}`},
	}
	for i, seed := range seeds {
		f.Add(uint8(i), []byte(seed.body))
	}
	env := portaltest.Start(f, portaltest.Options{NoTSA: true})
	token := "fuzz-session"
	if err := env.Storage.PutSession(f.Context(), portal.Session{TokenHash: sha256.Sum256([]byte(token)),
		User: api.User{Iin: "900101300017", Name: "FUZZ"}, Expires: time.Now().Add(24 * time.Hour)}); err != nil {
		f.Fatal(err)
	}
	doc := env.Publish(f, "900101300017", "", "Fuzzed", "x")
	h := env.Server.Handler()
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := seeds[int(which)%len(seeds)].path
		if path != "/documents" && path != "/auth/session" {
			path = strings.Replace(path, "01aaaaaaaaaaaaaaaaaaaaaaaa", doc.Id, 1)
		}
		req := httptest.NewRequest(http.MethodPost, api.BasePath+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Idempotency-Key", "fuzz-"+time.Now().Format("150405.000000000"))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		if w.Code >= 400 && !bytes.Contains(w.Body.Bytes(), []byte(`"code"`)) {
			t.Fatalf("%s: %d without the Error shape: %s", path, w.Code, w.Body)
		}
	})
}
