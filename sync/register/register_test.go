package register_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/sync/register"
	"github.com/qoltanba/qoltanba/sync/store"
)

// clock is the store's clock: each call an hour later.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Hour); return c.t }

// fixture is a store with a document of every kind of history, made on
// 2026-03-01 and after (an hour per write).
func fixture(t *testing.T) (store.Store, map[string]store.ID, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	st, err := store.Open(filepath.Join(t.TempDir(), "store"), store.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	ids := map[string]store.ID{}
	add := func(name, counterparty string) store.ID {
		d, err := st.AddDocument(ctx, store.NewDocument{Name: name + ".txt", Title: name, Counterparty: counterparty, Content: []byte(name)})
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = d.ID
		return d.ID
	}
	sign := func(id store.ID, origin string) {
		if _, err := st.AddSignature(ctx, id, 1, store.NewSignature{Format: "cms", Bytes: []byte("sig " + id.String()),
			Signer: store.Signer{CommonName: "АБАЕВ АЙДОС"}, Origin: origin}); err != nil {
			t.Fatal(err)
		}
	}
	// Outgoing, kept here: signed, then deleted before its time (forced).
	sign(add("contract", "ТОО Альфа"), "made")
	// Incoming, kept here: a file with a counterparty's signature only.
	sign(add("invoice", "ТОО Бета"), "received")
	// A draft: in neither register.
	add("draft", "")
	// From a portal: received, signed, sent, acknowledged.
	if err := st.PutAccount(ctx, store.Account{Name: "e-qazyna", PortalURL: "https://portal.test"}); err != nil {
		t.Fatal(err)
	}
	out, err := st.Exchange(ctx, store.ExchangeBatch{Account: "e-qazyna", Receive: []store.Received{{
		Doc:  store.NewDocument{Name: "act.txt", Title: "act", Counterparty: "e-qazyna", Content: []byte("act")},
		Link: store.Link{Remote: "d1", Direction: "incoming", Status: "published", ContentVersion: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	ids["act"] = out.Received[0]
	sign(ids["act"], "made")
	for _, to := range []store.State{store.StateQueued, store.StateSent, store.StateAcknowledged} {
		if _, err := st.SetState(ctx, ids["act"], to, "to \"e-qazyna\""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DeleteDocument(ctx, ids["contract"], store.DeleteOptions{ForceBeforeRetention: true, Reason: "duplicate"}); err != nil {
		t.Fatal(err)
	}
	return st, ids, c
}

func TestBuild(t *testing.T) {
	st, ids, c := fixture(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		dir      register.Direction
		from, to time.Time
		want     []string // "title event" in order
	}{
		{"outgoing, the whole day", register.Outgoing, day, day.AddDate(0, 0, 1),
			[]string{"contract registered", "contract signed", "act signed", "act sent", "act acknowledged", "contract deleted"}},
		{"incoming, the whole day", register.Incoming, day, day.AddDate(0, 0, 1),
			[]string{"invoice received", "invoice signed", "act received"}},
		{"outgoing, the first two hours", register.Outgoing, day, day.Add(3*time.Hour + time.Minute),
			[]string{"contract registered", "contract signed"}},
		{"a period before anything", register.Incoming, day.AddDate(0, -1, 0), day, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := register.Build(ctx, st, tc.dir, tc.from, tc.to, c.t)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, row := range r.Rows {
				got = append(got, row.Title+" "+string(row.Event))
				if row.No != i+1 {
					t.Errorf("row %d numbered %d", i, row.No)
				}
				if row.Document == ids["draft"] {
					t.Errorf("the draft is in the %s register", tc.dir)
				}
			}
			if strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
				t.Errorf("rows:\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	if _, err := register.Build(ctx, st, register.Outgoing, day, day, c.t); !errors.Is(err, register.ErrPeriod) {
		t.Errorf("an empty period: %v", err)
	}
	if _, err := register.Build(ctx, st, "sideways", day, day.AddDate(0, 0, 1), c.t); err == nil {
		t.Error("an unknown register was made")
	}
}

func TestWrite(t *testing.T) {
	st, _, c := fixture(t)
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := register.Build(context.Background(), st, register.Outgoing, day, day.AddDate(0, 0, 1), c.t)
	if err != nil {
		t.Fatal(err)
	}
	almaty := time.FixedZone("Asia/Almaty", 5*3600)
	var b bytes.Buffer
	if err := r.WriteCSV(&b, register.Style{Lang: "ru", Loc: almaty}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\ufeff")) {
		t.Error("the CSV has no byte-order mark")
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != len(r.Rows)+1 || records[0][1] != "Дата и время" || records[2][2] != "подписан" || records[1][1] != "2026-03-01 07:00:00" {
		t.Errorf("CSV:\n%s", b.String())
	}
	b.Reset()
	if err := r.WriteText(&b, register.Style{Lang: "kk", Loc: almaty, Detail: func(r register.Row) string { return "≈ " + r.Detail }}); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"Шығыс электрондық құжаттарды тіркеу журналы", "Жазбалар: 6", "қол қойылды", "\"contract\"", "(қолы)", "≈ cms signature 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printable register lacks %q:\n%s", want, text)
		}
	}
}

// A title from a portal that a spreadsheet would run as a formula is kept as text.
func TestCSVFormula(t *testing.T) {
	r := &register.Register{Direction: register.Incoming, Rows: []register.Row{{No: 1, Title: "=HYPERLINK(\"http://x\")", Event: register.Received}}}
	var b bytes.Buffer
	if err := r.WriteCSV(&b, register.Style{Lang: "en", Loc: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `'=HYPERLINK`) {
		t.Errorf("CSV: %s", b.String())
	}
}
