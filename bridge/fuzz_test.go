package bridge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/qoltanba/qoltanba/sync/store"
)

// FuzzHandle feeds the request parser and dispatcher arbitrary messages,
// seeded with real requests (testdata/requests): every message must get
// exactly one JSON reply, and nothing may be signed (the scripted user
// chooses the key and then declines; no password is given).
func FuzzHandle(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/requests/*.json")
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	fx := newFixture(f)
	fx.prompts.Decline = true
	fx.prompts.Password = ""
	fx.prompts.File = seeds[0]
	f.Fuzz(func(t *testing.T, msg []byte) {
		s := &session{origin: "https://fuzz.test", locale: "kk"}
		reply := fx.bridge.handle(context.Background(), s, msg)
		if !json.Valid(reply) {
			t.Fatalf("reply is not JSON: %q", reply)
		}
		if page, err := fx.core.Store.List(context.Background(), store.Query{Limit: 1}); err != nil || len(page.Documents) > 0 {
			t.Fatalf("something was signed and stored (%v)", err)
		}
	})
}
