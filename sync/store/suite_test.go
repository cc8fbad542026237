package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qoltanba/qoltanba/signer/gost/streebog"
)

// opener makes a fresh, empty store for one test.
type opener func(t *testing.T, opts Options) Store

func openBolt(t *testing.T, opts Options) Store {
	t.Helper()
	s, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openMemory(t *testing.T, opts Options) Store {
	t.Helper()
	s, err := OpenMemory(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStore runs the one behaviour suite against both implementations.
func TestStore(t *testing.T) {
	for _, impl := range []struct {
		name string
		open opener
	}{{"bolt", openBolt}, {"memory", openMemory}} {
		t.Run(impl.name, func(t *testing.T) { storeSuite(t, impl.open) })
	}
}

var (
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)
	xmlBytes  = []byte(`<?xml version="1.0" encoding="UTF-8"?><agreement id="1">Келісім</agreement>`)
	textBytes = []byte("Акт выполненных работ № 17\n")
)

// fakeSignature is a stand-in for a CMS: this layer stores signature bytes
// without interpreting them (signer/cms and signer/xmldsig make real ones).
func fakeSignature(n int) NewSignature {
	return NewSignature{
		Format: "cms", Bytes: bytes.Repeat([]byte{0x30, byte(n)}, 40+n),
		Signer: Signer{CommonName: "ТЕСТОВ ТЕСТ", IIN: "123456789011", Algorithm: "GOST34.10-2015-512",
			Fingerprint: strings.Repeat("ab", 32)},
		SigningTime: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
		Report:      []byte(`{"indication":"TOTAL-PASSED"}`),
	}
}

func storeSuite(t *testing.T, open opener) {
	ctx := context.Background()

	t.Run("import", func(t *testing.T) {
		s := open(t, Options{})
		tests := []struct {
			name, file string
			content    []byte
			kind       Kind
			wantType   string
			wantKind   Kind
		}{
			{"pdf", "scan.pdf", pdfBytes, "", "application/pdf", KindOther},
			{"png", "photo.PNG", pngBytes, "", "image/png", KindScan},
			{"xml", "agreement.xml", xmlBytes, KindAgreement, "application/xml", KindAgreement},
			{"text as csv", "rows.csv", []byte("a;b\n1;2\n"), KindInvoice, "text/csv; charset=utf-8", KindInvoice},
			{"windows path", `C:\Users\a\act.txt`, textBytes, KindAct, "text/plain; charset=utf-8", KindAct},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				d, err := s.AddDocument(ctx, NewDocument{Name: tt.file, Content: tt.content, Kind: tt.kind, Counterparty: "ТОО Ромашка"})
				if err != nil {
					t.Fatal(err)
				}
				if d.MediaType != tt.wantType || d.Kind != tt.wantKind || d.State != StateDraft || d.Version != 1 {
					t.Errorf("got type %q kind %q state %q version %d", d.MediaType, d.Kind, d.State, d.Version)
				}
				if d.Title != baseName(tt.file) || d.Name != baseName(tt.file) {
					t.Errorf("title %q name %q", d.Title, d.Name)
				}
				v, err := s.Version(ctx, d.ID, 1)
				if err != nil {
					t.Fatal(err)
				}
				if v.SHA256 != sha256.Sum256(tt.content) || v.Streebog512 != streebog.Sum512(tt.content) || v.Size != int64(len(tt.content)) {
					t.Error("digests or size wrong")
				}
				got, err := s.Content(ctx, d.ID, 1)
				if err != nil || !bytes.Equal(got, tt.content) {
					t.Fatalf("content: %v", err)
				}
				again, err := s.Document(ctx, d.ID)
				if err != nil || again.ID != d.ID || again.Title != d.Title || !again.Created.Equal(d.Created) {
					t.Fatalf("reread: %+v, %v", again, err)
				}
			})
		}
	})

	t.Run("refused", func(t *testing.T) {
		s := open(t, Options{MaxContentSize: 1000})
		tests := []struct {
			name, file string
			content    []byte
			want       error
		}{
			{"too large", "big.pdf", append([]byte("%PDF-"), make([]byte, 1000)...), ErrTooLarge},
			{"exe by name", "setup.exe", []byte("hello"), ErrForbiddenType},
			{"PE by content", "invoice.pdf", append([]byte("MZ\x90\x00"), make([]byte, 60)...), ErrForbiddenType},
			{"ELF", "doc", []byte("\x7fELF\x02\x01\x01"), ErrForbiddenType},
			{"script", "run.txt", []byte("#!/bin/sh\nrm -rf /\n"), ErrForbiddenType},
			{"pdf that is png", "scan.pdf", pngBytes, ErrTypeMismatch},
			{"jpg that is text", "photo.jpg", textBytes, ErrTypeMismatch},
			{"empty", "a.txt", nil, ErrEmpty},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.AddDocument(ctx, NewDocument{Name: tt.file, Content: tt.content})
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), filepath.Base(strings.ReplaceAll(tt.file, `\`, "/"))) {
					t.Errorf("message does not name the file: %v", err)
				}
			})
		}
		if p, _ := s.List(ctx, Query{}); len(p.Documents) != 0 {
			t.Errorf("refused imports left %d documents", len(p.Documents))
		}
		// A letter that starts with "MZ" is text, not a program.
		if _, err := s.AddDocument(ctx, NewDocument{Name: "mz.txt", Content: []byte("MZ company letter")}); err != nil {
			t.Errorf("text starting with MZ: %v", err)
		}
	})

	t.Run("large content", func(t *testing.T) {
		s := open(t, Options{InlineLimit: 1024})
		big := append(bytes.Clone(pdfBytes), bytes.Repeat([]byte("x"), 5000)...)
		d, err := s.AddDocument(ctx, NewDocument{Name: "big.pdf", Content: big})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Content(ctx, d.ID, 1)
		if err != nil || !bytes.Equal(got, big) {
			t.Fatalf("content: %v", err)
		}
		// Same bytes again: stored once, both readable.
		d2, err := s.AddDocument(ctx, NewDocument{Name: "copy.pdf", Content: big})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Content(ctx, d2.ID, 1); err != nil || !bytes.Equal(got, big) {
			t.Fatalf("copy: %v", err)
		}
		mustVerify(t, s)
	})

	t.Run("versions", func(t *testing.T) {
		s := open(t, Options{})
		d, err := s.AddDocument(ctx, NewDocument{Name: "a.xml", Content: xmlBytes})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSignature(ctx, d.ID, 1, fakeSignature(1)); err != nil {
			t.Fatal(err)
		}
		edited := append(bytes.Clone(xmlBytes), "<!-- v2 -->"...)
		v2, err := s.AddVersion(ctx, d.ID, "a.xml", edited)
		if err != nil {
			t.Fatal(err)
		}
		if v2.Number != 2 || v2.Signatures != 0 {
			t.Errorf("v2 = %+v", v2)
		}
		d, _ = s.Document(ctx, d.ID)
		if d.State != StateDraft || d.Version != 2 || d.SHA256 != sha256.Sum256(edited) || d.SignedAt.IsZero() {
			t.Errorf("after edit: %+v", d)
		}
		// The signed version 1 is untouched.
		v1, err := s.Version(ctx, d.ID, 1)
		if err != nil || v1.Signatures != 1 || v1.SHA256 != sha256.Sum256(xmlBytes) {
			t.Fatalf("v1 = %+v, %v", v1, err)
		}
		if c, _ := s.Content(ctx, d.ID, 1); !bytes.Equal(c, xmlBytes) {
			t.Error("v1 content changed")
		}
		vs, err := s.Versions(ctx, d.ID)
		if err != nil || len(vs) != 2 {
			t.Fatalf("versions: %d, %v", len(vs), err)
		}
		// Signatures go on the current version only.
		if _, err := s.AddSignature(ctx, d.ID, 1, fakeSignature(2)); !errors.Is(err, ErrNotCurrent) {
			t.Errorf("sign old version: %v", err)
		}
		if _, err := s.Version(ctx, d.ID, 3); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing version: %v", err)
		}
		if _, err := s.Document(ctx, ID{1}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing document: %v", err)
		}
	})

	t.Run("signatures", func(t *testing.T) {
		s := open(t, Options{InlineLimit: 100})
		d, _ := s.AddDocument(ctx, NewDocument{Name: "a.pdf", Content: pdfBytes})
		for i := 1; i <= 3; i++ { // 3 is larger than InlineLimit: a file
			ns := fakeSignature(i * 30)
			sig, err := s.AddSignature(ctx, d.ID, 1, ns)
			if err != nil {
				t.Fatal(err)
			}
			if sig.Index != uint32(i) || sig.Origin != "made" || sig.Signer.CommonName != ns.Signer.CommonName {
				t.Errorf("signature %d: %+v", i, sig)
			}
			b, err := s.SignatureBytes(ctx, d.ID, 1, uint32(i))
			if err != nil || !bytes.Equal(b, ns.Bytes) {
				t.Fatalf("bytes %d: %v", i, err)
			}
		}
		sigs, err := s.Signatures(ctx, d.ID, 1)
		if err != nil || len(sigs) != 3 {
			t.Fatalf("signatures: %d %v", len(sigs), err)
		}
		if string(sigs[0].Report) != `{"indication":"TOTAL-PASSED"}` || !sigs[0].SigningTime.Equal(fakeSignature(1).SigningTime) {
			t.Errorf("signature 1 = %+v", sigs[0])
		}
		d, _ = s.Document(ctx, d.ID)
		if d.State != StateSigned {
			t.Errorf("state %s", d.State)
		}
		if _, err := s.AddSignature(ctx, d.ID, 1, NewSignature{Format: "cms"}); !errors.Is(err, ErrEmpty) {
			t.Errorf("empty signature: %v", err)
		}
		mustVerify(t, s)
	})

	t.Run("signatures in one transaction", func(t *testing.T) {
		s := open(t, Options{})
		a, _ := s.AddDocument(ctx, NewDocument{Name: "a.txt", Content: []byte("a")})
		b, _ := s.AddDocument(ctx, NewDocument{Name: "b.txt", Content: []byte("b")})
		var missing ID
		missing[0] = 1
		if _, err := s.AddSignatures(ctx, []SignatureAdd{{a.ID, 1, fakeSignature(1)}, {missing, 1, fakeSignature(2)}}); err == nil {
			t.Fatal("a batch with a missing document was stored")
		}
		if sigs, _ := s.Signatures(ctx, a.ID, 1); len(sigs) != 0 {
			t.Fatalf("all or none: %d signatures stored", len(sigs))
		}
		sigs, err := s.AddSignatures(ctx, []SignatureAdd{{a.ID, 1, fakeSignature(1)}, {b.ID, 1, fakeSignature(2)}})
		if err != nil || len(sigs) != 2 || sigs[1].Document != b.ID || sigs[1].Index != 1 {
			t.Fatalf("batch: %+v %v", sigs, err)
		}
		mustVerify(t, s)
	})

	t.Run("transitions", func(t *testing.T) {
		s := open(t, Options{})
		// For every state and every target: SetState succeeds exactly when the table says so.
		for _, from := range States {
			for _, to := range States {
				d := docInState(t, s, from)
				_, err := s.SetState(ctx, d.ID, to, "test")
				if want := CanBecome(from, to); (err == nil) != want {
					t.Errorf("%s→%s: err = %v, allowed = %v", from, to, err, want)
				}
				if err != nil {
					var te *TransitionError
					if !errors.As(err, &te) || !errors.Is(err, ErrIllegalTransition) || te.From != from || te.To != to {
						t.Errorf("%s→%s: error %v is not a TransitionError", from, to, err)
					}
					if !strings.Contains(err.Error(), string(from)) {
						t.Errorf("message does not say the state: %v", err)
					}
				}
			}
			// Editing and signing follow their own sets.
			d := docInState(t, s, from)
			_, err := s.AddVersion(ctx, d.ID, "e.txt", []byte(fmt.Sprint("edit of ", from)))
			if (err == nil) != editable[from] {
				t.Errorf("edit in %s: %v", from, err)
			}
			d = docInState(t, s, from)
			_, err = s.AddSignature(ctx, d.ID, d.Version, fakeSignature(1))
			if (err == nil) != signable[from] {
				t.Errorf("sign in %s: %v", from, err)
			}
		}
		if _, err := s.SetState(ctx, ID{9}, StateReady, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		mustVerify(t, s)
	})

	t.Run("update", func(t *testing.T) {
		s := open(t, Options{})
		d, _ := s.AddDocument(ctx, NewDocument{Name: "a.txt", Content: textBytes})
		title, kind := "Договор поставки", KindContract
		d, err := s.UpdateDocument(ctx, d.ID, DocumentUpdate{Title: &title, Kind: &kind})
		if err != nil || d.Title != title || d.Kind != kind {
			t.Fatalf("%+v %v", d, err)
		}
		p, _ := s.List(ctx, Query{Kind: KindContract, Text: "ПОСТАВ"})
		if len(p.Documents) != 1 {
			t.Errorf("updated document not found by kind and text: %d", len(p.Documents))
		}
		p, _ = s.List(ctx, Query{Kind: KindOther})
		if len(p.Documents) != 0 {
			t.Errorf("old kind index entry remains")
		}
	})

	t.Run("list", func(t *testing.T) {
		s := open(t, Options{})
		var all []NewDocument
		for i := range 120 {
			all = append(all, NewDocument{Name: fmt.Sprintf("doc-%03d.txt", i), Title: fmt.Sprintf("Счёт %d", i),
				Kind: Kinds[i%len(Kinds)], Counterparty: []string{"ТОО Ромашка", "АО Береке"}[i%2],
				Content: []byte(fmt.Sprint("content ", i))})
		}
		docs, err := s.AddDocuments(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 120; i += 3 {
			if _, err := s.SetState(ctx, docs[i].ID, StateReady, ""); err != nil {
				t.Fatal(err)
			}
		}
		// Paging through everything gives all 120, newest first, no repeats.
		var seen []ID
		q := Query{Limit: 50}
		for {
			p, err := s.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range p.Documents {
				seen = append(seen, d.ID)
			}
			if p.Next.IsZero() {
				break
			}
			q.After = p.Next
		}
		if len(seen) != 120 {
			t.Fatalf("paged %d documents", len(seen))
		}
		for i := range seen {
			if seen[i] != docs[119-i].ID {
				t.Fatalf("row %d out of order", i)
			}
		}
		tests := []struct {
			q    Query
			want func(i int) bool
		}{
			{Query{State: StateReady}, func(i int) bool { return i%3 == 0 }},
			{Query{State: StateDraft, Kind: KindInvoice}, func(i int) bool { return i%3 != 0 && Kinds[i%len(Kinds)] == KindInvoice }},
			{Query{Kind: KindScan}, func(i int) bool { return Kinds[i%len(Kinds)] == KindScan }},
			{Query{Text: "береке"}, func(i int) bool { return i%2 == 1 }},
			{Query{Text: "счёт 11"}, func(i int) bool { return i == 11 || (i >= 110 && i <= 119) }},
			{Query{Text: "doc-007"}, func(i int) bool { return i == 7 }},
			{Query{Text: "РОМАШКА", State: StateReady, Kind: KindAct}, func(i int) bool {
				return i%2 == 0 && i%3 == 0 && Kinds[i%len(Kinds)] == KindAct
			}},
			{Query{Text: "nothing like this"}, func(int) bool { return false }},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%+v", tt.q), func(t *testing.T) {
				var want []ID
				for i := 119; i >= 0; i-- {
					if tt.want(i) {
						want = append(want, docs[i].ID)
					}
				}
				var got []ID
				q := tt.q
				q.Limit = 7
				for pages := 0; pages < 100; pages++ {
					p, err := s.List(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if len(p.Documents) > 7 {
						t.Fatalf("page of %d", len(p.Documents))
					}
					for _, d := range p.Documents {
						got = append(got, d.ID)
					}
					if p.Next.IsZero() {
						break
					}
					q.After = p.Next
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("got %d documents, want %d", len(got), len(want))
				}
			})
		}
		if _, err := s.List(ctx, Query{State: "lost"}); err == nil {
			t.Error("unknown state accepted")
		}
	})

	t.Run("journal", func(t *testing.T) {
		s := open(t, Options{})
		d, _ := s.AddDocument(ctx, NewDocument{Name: "a.xml", Content: xmlBytes})
		other, _ := s.AddDocument(ctx, NewDocument{Name: "b.txt", Content: textBytes})
		sig, _ := s.AddSignature(ctx, d.ID, 1, fakeSignature(1))
		if _, err := s.Record(ctx, Event{Action: ActionVerify, Document: d.ID, Version: 1, Digest: sha256.Sum256([]byte("report")), Detail: "TOTAL-PASSED"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, Event{Action: ActionExport, Document: d.ID, Version: 1, Detail: "a.zip"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, Event{Action: ActionKey, Certificate: fingerprint(strings.Repeat("cd", 32)), Detail: "key opened"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetState(ctx, d.ID, StateQueued, "outbox"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, Event{Action: ActionSign}); err == nil {
			t.Error("Record accepted a sign entry")
		}
		if _, err := s.Record(ctx, Event{Action: ActionVerify, Document: ID{7}}); !errors.Is(err, ErrNotFound) {
			t.Errorf("Record for a missing document: %v", err)
		}
		all, err := s.Journal(ctx, JournalQuery{})
		if err != nil {
			t.Fatal(err)
		}
		wantActions := []Action{ActionImport, ActionImport, ActionSign, ActionVerify, ActionExport, ActionKey, ActionState}
		if len(all) != len(wantActions) {
			t.Fatalf("%d entries", len(all))
		}
		var prev Digest32
		for i, e := range all {
			if e.Action != wantActions[i] || e.Seq != uint64(i+1) || e.Prev != prev {
				t.Errorf("entry %d: %+v", i, e)
			}
			prev = e.Hash
		}
		if all[2].Digest != sig.SHA256 || all[2].Certificate != fingerprint(strings.Repeat("ab", 32)) {
			t.Error("sign entry does not carry the signature digest and certificate")
		}
		if all[0].Digest != sha256.Sum256(xmlBytes) {
			t.Error("import entry does not carry the content digest")
		}
		mine, err := s.Journal(ctx, JournalQuery{Document: d.ID})
		if err != nil || len(mine) != 5 {
			t.Fatalf("document's journal: %d %v", len(mine), err)
		}
		theirs, _ := s.Journal(ctx, JournalQuery{Document: other.ID})
		if len(theirs) != 1 || theirs[0].Seq != 2 {
			t.Errorf("other's journal: %+v", theirs)
		}
		tail, _ := s.Journal(ctx, JournalQuery{AfterSeq: 5, Limit: 1})
		if len(tail) != 1 || tail[0].Seq != 6 {
			t.Errorf("tail: %+v", tail)
		}
		r := mustVerify(t, s)
		if r.Entries != 7 || r.Documents != 2 || r.Versions != 2 || r.Signs != 1 || r.Head != all[6].Hash {
			t.Errorf("report %+v", r)
		}
	})

	t.Run("atomic batch", func(t *testing.T) {
		s := open(t, Options{})
		_, err := s.AddDocuments(ctx, []NewDocument{{Name: "a.txt", Content: textBytes}, {Name: "b.exe", Content: textBytes}})
		if !errors.Is(err, ErrForbiddenType) {
			t.Fatalf("err = %v", err)
		}
		if p, _ := s.List(ctx, Query{}); len(p.Documents) != 0 {
			t.Error("half a batch was stored")
		}
		_, err = s.AddDocuments(ctx, []NewDocument{{Name: "a.txt", Content: textBytes}, {Name: "b.txt", Content: textBytes, Kind: "poem"}})
		if err == nil {
			t.Fatal("unknown kind accepted")
		}
		if j, _ := s.Journal(ctx, JournalQuery{}); len(j) != 0 {
			t.Error("journal has entries of a failed batch")
		}
	})

	t.Run("backup and restore", func(t *testing.T) {
		s := open(t, Options{InlineLimit: 64})
		d, _ := s.AddDocument(ctx, NewDocument{Name: "a.pdf", Content: pdfBytes}) // a file: larger than 64
		s.AddSignature(ctx, d.ID, 1, fakeSignature(1))
		small, _ := s.AddDocument(ctx, NewDocument{Name: "s.txt", Content: []byte("small")})
		var buf bytes.Buffer
		if err := s.Backup(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		r, err := Restore(ctx, dir, bytes.NewReader(buf.Bytes()), Options{})
		if err != nil || !r.OK {
			t.Fatalf("restore: %v %+v", err, r)
		}
		back, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer back.Close()
		for _, id := range []ID{d.ID, small.ID} {
			orig, _ := s.Document(ctx, id)
			got, err := back.Document(ctx, id)
			if err != nil || got.SHA256 != orig.SHA256 || got.State != orig.State {
				t.Errorf("restored %s: %+v %v", id, got, err)
			}
		}
		if c, err := back.Content(ctx, d.ID, 1); err != nil || !bytes.Equal(c, pdfBytes) {
			t.Errorf("restored content: %v", err)
		}
		mustVerify(t, back)
	})
}

// docInState makes a document and walks it to state st.
func docInState(t *testing.T, s Store, st State) Document {
	t.Helper()
	ctx := context.Background()
	d, err := s.AddDocument(ctx, NewDocument{Name: "w.txt", Content: []byte("walk to " + st)})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[State][]State{
		StateDraft: {}, StateReady: {StateReady}, StateSigned: {StateSigned}, StateQueued: {StateSigned, StateQueued},
		StateSent: {StateSigned, StateQueued, StateSent}, StateAcknowledged: {StateSigned, StateQueued, StateSent, StateAcknowledged},
		StateRejected: {StateSigned, StateQueued, StateSent, StateRejected}, StateRevoked: {StateSigned, StateRevoked},
	}
	for _, step := range paths[st] {
		if step == StateSigned {
			_, err = s.AddSignature(ctx, d.ID, d.Version, fakeSignature(1))
		} else {
			_, err = s.SetState(ctx, d.ID, step, "")
		}
		if err != nil {
			t.Fatalf("walk to %s: %v", st, err)
		}
	}
	d, _ = s.Document(ctx, d.ID)
	if d.State != st {
		t.Fatalf("walked to %s, got %s", st, d.State)
	}
	return d
}

func mustVerify(t *testing.T, s Store) JournalReport {
	t.Helper()
	r, err := s.VerifyJournal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("journal does not verify: %+v", r)
	}
	return r
}
