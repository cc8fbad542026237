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
	seeds := addRequestSeeds(f)
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
		fx.bridge.Recorded()
		if page, err := fx.core.Store.List(context.Background(), store.Query{Limit: 1}); err != nil || len(page.Documents) > 0 {
			t.Fatalf("something was signed and stored (%v)", err)
		}
	})
}

// addRequestSeeds seeds f with the real requests of testdata/requests.
func addRequestSeeds(f *testing.F) []string {
	seeds, _ := filepath.Glob("testdata/requests/*.json")
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	return seeds
}

// FuzzEnvelope: where the envelope scanner accepts a message that
// encoding/json also reads, both agree on module, method and uuid, and
// args is the same JSON.
func FuzzEnvelope(f *testing.F) {
	addRequestSeeds(f)
	f.Add([]byte(`{"module":"a\"b","args":["\\\"",{"x":[1,2,{"y":"]"}]}],"uuid":7}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		got, ok := scanEnvelope(msg)
		var want request
		if !ok || json.Unmarshal(msg, &want) != nil {
			return
		}
		if got.Module != want.Module || got.Method != want.Method || !jsonEqual(got.UUID, want.UUID) || !jsonEqual(got.Args, want.Args) {
			t.Fatalf("scanner %+v\njson    %+v", got, want)
		}
	})
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}
