package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/qoltanba/qoltanba/signer/pki"
	"github.com/qoltanba/qoltanba/sync/store"
)

// The journal is hash-chained: its Detail lines are stored as written, in
// English, and must never change. What the user reads is built here from
// them: each line the store and the GUI write has a known shape, which is
// parsed back into its parts and said again in the user's language. A line
// of an unknown shape (a newer Qoltanba, a portal's event) is shown as
// stored rather than guessed at.

// journalView lists a document's journal, oldest first: what happened and
// when on one line, the particulars below.
func journalView(es []store.Entry) fyne.CanvasObject {
	if len(es) == 0 {
		return wrapped(T("documents.noJournal"))
	}
	rows := container.NewVBox()
	for _, e := range es {
		head := bold(journalHeadline(e))
		if detail := journalDetail(e); detail != "" {
			rows.Add(container.NewVBox(head, wrapped(detail)))
		} else {
			rows.Add(head)
		}
	}
	return rows
}

// journalHeadline is "#3 · 2026-11-21 13:14:53 · signed · version 1".
func journalHeadline(e store.Entry) string {
	parts := []string{fmt.Sprintf("#%d", e.Seq), shortTime(e.Time), journalAction(e.Action)}
	if e.Version != 0 && e.Action != store.ActionDelete {
		parts = append(parts, T("documents.versionN", map[string]any{"N": e.Version}))
	}
	return strings.Join(parts, " · ")
}

// journalAction names an action; one this Qoltanba does not know shows as
// stored.
func journalAction(a store.Action) string {
	if !slices.Contains(journalActions, a) {
		return string(a)
	}
	return T("journal." + string(a))
}

// journalActions are the actions with a translation (journal.<action>).
var journalActions = []store.Action{store.ActionImport, store.ActionEdit, store.ActionSign, store.ActionVerify,
	store.ActionExport, store.ActionState, store.ActionKey, store.ActionDelete, store.ActionExchange}

// The shapes of the stored lines, as sync/store, ui/docstore.go and the
// evidence export write them.
var (
	// import, edit: "contract.pdf (application/pdf)" [", ready→draft"]
	jFile = regexp.MustCompile(`^(.+) \(([^()]+)\)(?:, ([a-z]+)→draft)?$`)
	// edit of metadata: "metadata: title, kind contract→act, counterparty"
	jMeta = regexp.MustCompile(`^metadata: (.+)$`)
	jKind = regexp.MustCompile(`^kind ([a-z]+)→([a-z]+)$`)
	// sign: "cms signature 2 by ИВАНОВ ИВАН" [", ready→signed"]
	jSign = regexp.MustCompile(`^(\S+) signature (\d+) by (.+?)(?:, ([a-z]+)→signed)?$`)
	// state: "draft→ready" [": note"]
	jState = regexp.MustCompile(`^([a-z]+)→([a-z]+)(?:: (.*))?$`)
	// delete: `"Title" (signed): 2 version(s), 1 signature(s) deleted` [", forced before retention ends 2031-05-01"] [": reason"]
	jDelete = regexp.MustCompile(`^("(?:[^"\\]|\\.)*") \(([a-z]+)\): (\d+) version\(s\), (\d+) signature\(s\) deleted(?:, forced before retention ends (\d{4}-\d{2}-\d{2}))?(?:: (.*))?$`)
	// export: "evidence package x.evidence.zip (1 signature(s))"
	jExport = regexp.MustCompile(`^evidence package (.+) \((\d+) signature\(s\)\)$`)
	// verify: "contract.pdf.cms: TOTAL_PASSED, 1 signature(s)"
	jVerify = regexp.MustCompile(`^(.+): ([A-Z_]+), (\d+) signature\(s\)$`)
	// key: "signed big.iso (cms, 123 bytes, not stored: larger than the store's limit) as big.iso.cms"
	jKeyLarge = regexp.MustCompile(`^signed (.+) \(([a-z]+), (\d+) bytes, not stored: larger than the store's limit\) as (.+)$`)

	// The portal exchange (sync/exchange, sync/store/exchange.go).
	// import: "d.txt (text/plain), from demo, document 01ab… revision 1 (awaiting_signature)"
	jFileFrom = regexp.MustCompile(`^(.+) \(([^()]+)\), from ("(?:[^"\\]|\\.)*"), document (\S+) revision (\d+) \(([a-z_]+)\)$`)
	// edit: "d.txt (text/plain), signed→draft, version 2 from demo (revision 3)"
	jFileVersion = regexp.MustCompile(`^(.+) \(([^()]+)\)(?:, ([a-z]+)→draft)?, version (\d+) from ("(?:[^"\\]|\\.)*") \(revision (\d+)\)$`)
	// state notes: "to send to demo", "sent to demo", "receipt from demo", "rejected for demo: why",
	// "annulled by agreement with demo", "not accepted by demo", "rejected on demo"
	jNote = regexp.MustCompile(`^(to send to|sent to|receipt from|rejected for|annulled by agreement with|not accepted by|rejected on) ("(?:[^"\\]|\\.)*")(?:: (.*))?$`)
	// exchange: "receipt from demo: signed (portal revision 2, received 2026-12-06T18:22:19Z)"
	jReceipt = regexp.MustCompile(`^receipt from ("(?:[^"\\]|\\.)*"): ([a-z_]+) \(portal revision (\d+), received (\S+)\)$`)
	// exchange: "demo: awaiting_signature → signed (revision 2)"
	jPortalStatus = regexp.MustCompile(`^("(?:[^"\\]|\\.)*"): ([a-z_]+|-) → ([a-z_]+) \(revision (\d+)\)$`)
	// exchange: "Rejection signed for demo: why"
	jStatement = regexp.MustCompile(`^(Rejection|Revocation proposal|Agreement to annul|Refusal to annul) signed for ("(?:[^"\\]|\\.)*"): (.*)$`)
	// exchange: "demo refused sign: the document changed (changed)"
	jRefused = regexp.MustCompile(`^("(?:[^"\\]|\\.)*") refused ([a-z_]+): (.*) \(([a-z_]+)\)$`)
)

// noteKeys translate the exchange's state notes.
var noteKeys = map[string]string{"to send to": "journal.note.toSend", "sent to": "journal.note.sent",
	"receipt from": "journal.note.receipt", "rejected for": "journal.note.rejectedFor",
	"annulled by agreement with": "journal.note.annulled", "not accepted by": "journal.note.notAccepted",
	"rejected on": "journal.note.rejectedOn"}

// statementKeys translate the steps signed as statements.
var statementKeys = map[string]string{"Rejection": "journal.stmt.reject", "Revocation proposal": "journal.stmt.propose",
	"Agreement to annul": "journal.stmt.accept", "Refusal to annul": "journal.stmt.refuse"}

// portalStatusText is a portal status in the user's words ("-": none yet).
func portalStatusText(s string) string {
	if s == "-" || s == "" {
		return "—"
	}
	return T("portal.st." + s)
}

// exchangeDetail translates an exchange entry's line.
func exchangeDetail(d string) (string, bool) {
	if m := jReceipt.FindStringSubmatch(d); m != nil {
		at := m[4]
		if t, err := time.Parse(time.RFC3339, m[4]); err == nil {
			at = shortTime(t)
		}
		return T("journal.receiptFrom", map[string]any{"Portal": unquote(m[1]), "Step": T("portal.entry." + m[2]), "Revision": m[3], "Time": at}), true
	}
	if m := jStatement.FindStringSubmatch(d); m != nil {
		return T(statementKeys[m[1]], map[string]any{"Portal": unquote(m[2]), "Reason": m[3]}), true
	}
	if m := jRefused.FindStringSubmatch(d); m != nil {
		return T("journal.refusedBy", map[string]any{"Portal": unquote(m[1]), "Message": m[3]}), true
	}
	if m := jPortalStatus.FindStringSubmatch(d); m != nil {
		return T("journal.portalStatus", map[string]any{"Portal": unquote(m[1]), "From": portalStatusText(m[2]), "To": portalStatusText(m[3]), "Revision": m[4]}), true
	}
	return "", false
}

// unquote reads a quoted account name (as written with %q).
func unquote(q string) string {
	if s, err := strconv.Unquote(q); err == nil {
		return s
	}
	return q
}

// stateNote translates an exchange's note on a state change.
func stateNote(note string) string {
	m := jNote.FindStringSubmatch(note)
	if m == nil {
		return note
	}
	s := T(noteKeys[m[1]], map[string]any{"Portal": unquote(m[2])})
	if m[3] != "" {
		s += ": " + m[3]
	}
	return s
}

// journalDetail says an entry's stored detail line in the user's language.
func journalDetail(e store.Entry) string {
	d := e.Detail
	if d == "" {
		return ""
	}
	if s, ok := journalDetailParsed(e.Action, d); ok {
		return s
	}
	return d
}

func journalDetailParsed(a store.Action, d string) (string, bool) {
	switch a {
	case store.ActionExchange:
		return exchangeDetail(d)
	case store.ActionImport, store.ActionEdit:
		if m := jFileFrom.FindStringSubmatch(d); m != nil && a == store.ActionImport {
			return T("journal.fileFrom", map[string]any{"Name": m[1], "Type": m[2], "Portal": unquote(m[3]), "Status": portalStatusText(m[6])}), true
		}
		if m := jFileVersion.FindStringSubmatch(d); m != nil && a == store.ActionEdit && (m[3] == "" || knownState(m[3])) {
			s := T("journal.fileVersion", map[string]any{"Name": m[1], "Type": m[2], "N": m[4], "Portal": unquote(m[5])})
			if m[3] != "" {
				s += "; " + stateChange(m[3], string(store.StateDraft))
			}
			return s, true
		}
		if m := jMeta.FindStringSubmatch(d); m != nil && a == store.ActionEdit {
			var fields []string
			for _, f := range strings.Split(m[1], ", ") {
				switch k := jKind.FindStringSubmatch(f); {
				case f == "title" || f == "counterparty":
					fields = append(fields, T("journal.field."+f))
				case k != nil && knownKind(k[1]) && knownKind(k[2]):
					fields = append(fields, T("journal.kindChange", map[string]any{"From": kindText(store.Kind(k[1])), "To": kindText(store.Kind(k[2]))}))
				default:
					return "", false
				}
			}
			return T("journal.metadata", map[string]any{"Fields": strings.Join(fields, ", ")}), true
		}
		m := jFile.FindStringSubmatch(d)
		if m == nil || (m[3] != "" && !knownState(m[3])) {
			return "", false
		}
		s := T("journal.file", map[string]any{"Name": m[1], "Type": m[2]})
		if m[3] != "" {
			s += "; " + stateChange(m[3], string(store.StateDraft))
		}
		return s, true
	case store.ActionSign:
		m := jSign.FindStringSubmatch(d)
		if m == nil || (m[4] != "" && !knownState(m[4])) {
			return "", false
		}
		s := T("journal.signature", map[string]any{"Index": m[2], "Format": strings.ToUpper(m[1]), "Signer": m[3]})
		if m[4] != "" {
			s += "; " + stateChange(m[4], string(store.StateSigned))
		}
		return s, true
	case store.ActionState:
		m := jState.FindStringSubmatch(d)
		if m == nil || !knownState(m[1]) || !knownState(m[2]) {
			return "", false
		}
		s := stateChange(m[1], m[2])
		if m[3] != "" {
			s += ": " + stateNote(m[3])
		}
		return s, true
	case store.ActionDelete:
		m := jDelete.FindStringSubmatch(d)
		if m == nil || !knownState(m[2]) {
			return "", false
		}
		title, err := strconv.Unquote(m[1])
		if err != nil {
			return "", false
		}
		s := T("journal.deleted", map[string]any{"Title": title, "State": stateName(store.State(m[2])), "Versions": m[3], "Signatures": m[4]})
		if m[5] != "" {
			s += "; " + T("journal.forced", map[string]any{"Date": m[5]})
		}
		if m[6] != "" {
			s += ": " + m[6]
		}
		return s, true
	case store.ActionExport:
		if m := jExport.FindStringSubmatch(d); m != nil {
			return T("journal.package", map[string]any{"File": m[1], "Count": m[2]}), true
		}
	case store.ActionVerify:
		m := jVerify.FindStringSubmatch(d)
		if m == nil {
			return "", false
		}
		ind := pki.Indication(m[2])
		if ind != pki.TotalPassed && ind != pki.Indeterminate && ind != pki.TotalFailed {
			return "", false
		}
		return T("journal.verified", map[string]any{"File": m[1], "Verdict": T("verdict." + string(ind)), "Count": m[3]}), true
	case store.ActionKey:
		if m := jKeyLarge.FindStringSubmatch(d); m != nil {
			size, err := strconv.ParseInt(m[3], 10, 64)
			if err != nil {
				return "", false
			}
			return T("journal.signedLarge", map[string]any{"File": m[1], "Format": strings.ToUpper(m[2]), "Size": humanSize(size), "Output": m[4]}), true
		}
	}
	return "", false
}

// stateChange is "Draft → Ready" in the user's words.
func stateChange(from, to string) string {
	return T("journal.stateChange", map[string]any{"From": stateName(store.State(from)), "To": stateName(store.State(to))})
}

func knownState(s string) bool { return slices.Contains(store.States, store.State(s)) }
func knownKind(k string) bool  { return slices.Contains(store.Kinds, store.Kind(k)) }
