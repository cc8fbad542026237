// Package register makes the registers of incoming and outgoing documents
// for a period — what was received, signed, sent, acknowledged by a
// portal's receipt, rejected, revoked or deleted, and when — from the
// store's hash-chained journal, which is kept with the documents for the
// five years the EDM agreement asks (5.3.10–5.3.12; the store refuses to
// delete a signed document sooner).
package register

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qoltanba/qoltanba/sync/store"
)

// Direction names a register.
type Direction string

const (
	Incoming Direction = "incoming"
	Outgoing Direction = "outgoing"
)

// Event is what happened to a document, as a register line says it.
type Event string

const (
	Received     Event = "received"     // an incoming document arrived
	Registered   Event = "registered"   // an outgoing document was added
	NewVersion   Event = "new-version"  // its content was replaced
	Signed       Event = "signed"       // a signature was added
	Sent         Event = "sent"         // it went to a portal
	Acknowledged Event = "acknowledged" // the portal's signed receipt is stored
	Receipt      Event = "receipt"      // a portal receipt (what it acknowledges is in Detail)
	Rejected     Event = "rejected"
	Revoked      Event = "revoked"
	Exchange     Event = "exchange" // another step with a portal (a proposal, a refusal)
	Deleted      Event = "deleted"
)

// Row is one line of a register: one journal entry about a document.
type Row struct {
	No           int            `json:"no"`
	Time         time.Time      `json:"time"`
	Event        Event          `json:"event"`
	Action       store.Action   `json:"action"` // the journal entry's
	Document     store.ID       `json:"document"`
	Title        string         `json:"title"`
	Kind         store.Kind     `json:"kind,omitempty"`
	Counterparty string         `json:"counterparty,omitempty"`
	Detail       string         `json:"detail,omitempty"` // the journal entry's line
	Digest       store.Digest32 `json:"digest,omitzero"`
	Seq          uint64         `json:"journalEntry"`
}

// Register is a register for a period [From, To).
type Register struct {
	Direction Direction `json:"direction"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Made      time.Time `json:"made"`
	// JournalHead is the last journal entry when the register was made:
	// 'qoltanba journal verify' on the same computer shows the same.
	JournalSeq  uint64         `json:"journalSeq"`
	JournalHead store.Digest32 `json:"journalHead"`
	Rows        []Row          `json:"rows"`
}

// ErrPeriod: the period is empty or reversed.
var ErrPeriod = errors.New("the period's end is not after its start")

// pageSize is how many journal entries are read at a time.
const pageSize = 5000

// Build makes the register of a direction for [from, to) from the journal:
// what the user did — signed, sent, the portal's receipts — is outgoing; a
// document received (from a portal, or kept with others' signatures only)
// and the signatures received are incoming; a draft is in neither.
func Build(ctx context.Context, st store.Store, dir Direction, from, to time.Time, now time.Time) (*Register, error) {
	if dir != Incoming && dir != Outgoing {
		return nil, fmt.Errorf("register %q: there are %q and %q", dir, Incoming, Outgoing)
	}
	if !to.After(from) {
		return nil, ErrPeriod
	}
	r := &Register{Direction: dir, From: from, To: to, Made: now, Rows: []Row{}}
	docs := map[store.ID]*docInfo{}
	var after uint64
	for {
		page, err := st.Journal(ctx, store.JournalQuery{AfterSeq: after, Limit: pageSize})
		if err != nil {
			return nil, fmt.Errorf("read the journal: %w", err)
		}
		for _, e := range page {
			r.JournalSeq, r.JournalHead = e.Seq, e.Hash
			if e.Document.IsZero() {
				continue
			}
			info := docs[e.Document]
			if info == nil {
				info = &docInfo{}
				docs[e.Document] = info
			}
			info.observe(e)
			if e.Time.Before(from) || !e.Time.Before(to) {
				continue
			}
			if ev, ok := eventOf(e); ok {
				info.rows = append(info.rows, Row{Time: e.Time, Event: ev, Action: e.Action, Document: e.Document, Detail: e.Detail, Digest: e.Digest, Seq: e.Seq})
			}
		}
		if len(page) < pageSize {
			break
		}
		after = page[len(page)-1].Seq
	}
	var rows []Row
	for id, info := range docs {
		if len(info.rows) == 0 {
			continue
		}
		f, err := describe(ctx, st, id, info)
		if err != nil {
			return nil, err
		}
		for _, row := range info.rows {
			if f.direction(row) != dir {
				continue
			}
			row.Title, row.Kind, row.Counterparty = f.doc.Title, f.doc.Kind, f.doc.Counterparty
			if dir == Incoming && row.Event == Registered {
				row.Event = Received
			}
			rows = append(rows, row)
		}
	}
	sortRows(rows)
	for i := range rows {
		rows[i].No = i + 1
	}
	r.Rows = append(r.Rows, rows...)
	return r, nil
}

// docInfo is what the journal said of a document.
type docInfo struct {
	rows    []Row
	signed  bool   // a sign entry was seen
	deleted string // the deletion's line, for a document no longer in the store
	title   string
}

func (i *docInfo) observe(e store.Entry) {
	switch e.Action {
	case store.ActionSign:
		i.signed = true
	case store.ActionDelete:
		i.deleted = e.Detail
		if t, ok := quotedPrefix(e.Detail); ok {
			i.title = t
		}
	}
}

// facts are what decides the register of a document's lines.
type facts struct {
	doc store.Document
	// dir is the document's own direction: its portal link's, or for one
	// without a portal outgoing when it carries a signature made here,
	// incoming when only received ones ("" for a draft).
	dir Direction
	// origins are its signatures' origins by their SHA-256.
	origins map[store.Digest32]string
}

// direction is a line's register: what the user did (signed, sent, the
// portal's receipt of it) is outgoing; a signature received is incoming;
// the rest follows the document.
func (f facts) direction(row Row) Direction {
	switch row.Event {
	case Sent, Acknowledged, Receipt:
		return Outgoing
	case Signed:
		switch f.origins[row.Digest] {
		case "made":
			return Outgoing
		case "received":
			return Incoming
		}
	}
	return f.dir
}

// describe finds a document's facts: from the store, or for a deleted one
// from what its journal entries said.
func describe(ctx context.Context, st store.Store, id store.ID, info *docInfo) (facts, error) {
	f := facts{origins: map[store.Digest32]string{}}
	d, err := st.Document(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		f.doc, f.dir = store.Document{ID: id, Title: info.title}, Incoming
		if info.signed {
			f.dir = Outgoing
		}
		return f, nil
	}
	if err != nil {
		return f, err
	}
	f.doc = d
	versions, err := st.Versions(ctx, id)
	if err != nil {
		return f, err
	}
	made, received := false, false
	for _, v := range versions {
		sigs, err := st.Signatures(ctx, id, v.Number)
		if err != nil {
			return f, err
		}
		for _, s := range sigs {
			f.origins[s.SHA256] = s.Origin
			if s.Origin == "received" {
				received = true
			} else {
				made = true
			}
		}
	}
	l, err := st.Link(ctx, id)
	switch {
	case err == nil && l.Direction == string(Incoming):
		f.dir = Incoming
	case err == nil:
		f.dir = Outgoing
	case !errors.Is(err, store.ErrNotFound):
		return f, err
	case made:
		f.dir = Outgoing
	case received:
		f.dir = Incoming
	}
	return f, nil
}

// eventOf says which register event a journal entry is.
func eventOf(e store.Entry) (Event, bool) {
	switch e.Action {
	case store.ActionImport:
		return Registered, true
	case store.ActionEdit:
		if e.Version > 0 && !strings.HasPrefix(e.Detail, "metadata") {
			return NewVersion, true
		}
	case store.ActionSign:
		return Signed, true
	case store.ActionState:
		// "from→to" or "from→to: note" (store.ActionState).
		change, _, _ := strings.Cut(e.Detail, ": ")
		_, to, ok := strings.Cut(change, "→")
		if !ok {
			return "", false
		}
		switch store.State(to) {
		case store.StateSent:
			return Sent, true
		case store.StateAcknowledged:
			return Acknowledged, true
		case store.StateRejected:
			return Rejected, true
		case store.StateRevoked:
			return Revoked, true
		}
	case store.ActionExchange:
		if strings.HasPrefix(e.Detail, "receipt from ") {
			return Receipt, true
		}
		return Exchange, true
	case store.ActionDelete:
		return Deleted, true
	}
	return "", false
}

// quotedPrefix reads the Go-quoted title a deletion's line starts with.
func quotedPrefix(s string) (string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '"' {
			var t string
			if _, err := fmt.Sscanf(s[:i+1], "%q", &t); err == nil {
				return t, true
			}
			return "", false
		}
	}
	return "", false
}

// sortRows orders rows by journal entry (the journal's order is time's).
func sortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Compare(a.Seq, b.Seq) })
}
