package register

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qoltanba/qoltanba/assets/translations"

	"github.com/qoltanba/qoltanba/sync/store"
)

// word is one of the registers' words in a language (the translations'
// register.* keys; English for another language).
func word(lang, key string) string { return translations.Text(lang, "register."+key) }

// EventName is an event in a language.
func EventName(lang string, e Event) string { return word(lang, string(e)) }

// Title is the register's heading in a language.
func (r *Register) Title(lang string) string { return word(lang, string(r.Direction)) }

const stamp = "2006-01-02 15:04:05"

// Style is how a register is written: the headings' language, the time
// zone, and how a row's journal line is said (nil: as the journal has it).
type Style struct {
	Lang   string
	Loc    *time.Location
	Detail func(Row) string
}

func (s Style) detail(r Row) string {
	if s.Detail != nil {
		return s.Detail(r)
	}
	return r.Detail
}

func (s Style) loc() *time.Location {
	if s.Loc == nil {
		return time.Local
	}
	return s.Loc
}

// WriteCSV writes the register as CSV (UTF-8 with a byte-order mark, so
// that spreadsheet programs on Windows read the Cyrillic right), a header
// row in the style's language.
func (r *Register) WriteCSV(w io.Writer, st Style) error {
	lang, loc := st.Lang, st.loc()
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	cw.Write([]string{word(lang, "no"), word(lang, "time"), word(lang, "event"), word(lang, "document"), word(lang, "title"),
		word(lang, "kind"), word(lang, "counterparty"), word(lang, "detail"), word(lang, "digest"), word(lang, "entry")})
	for _, row := range r.Rows {
		digest := ""
		if row.Digest != (store.Digest32{}) {
			digest = row.Digest.String()
		}
		cw.Write([]string{strconv.Itoa(row.No), row.Time.In(loc).Format(stamp), EventName(lang, row.Event), row.Document.String(),
			cellSafe(row.Title), string(row.Kind), cellSafe(row.Counterparty), cellSafe(st.detail(row)), digest, strconv.FormatUint(row.Seq, 10)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// cellSafe keeps a spreadsheet from reading a title that came from a
// portal as a formula.
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteText writes the register for printing: a heading with the period
// and the journal's head, then each entry as a block (time, event,
// document, title, details) that a page of any width keeps readable, and a
// line for the responsible person's signature.
func (r *Register) WriteText(w io.Writer, st Style) error {
	lang, loc := st.Lang, st.loc()
	bw := bufio.NewWriter(w)
	title := r.Title(lang)
	fmt.Fprintf(bw, "%s\n%s\n", title, strings.Repeat("=", utf8.RuneCountInString(title)))
	fmt.Fprintf(bw, "%s: %s — %s\n", word(lang, "period"), r.From.In(loc).Format(stamp), r.To.In(loc).Format(stamp))
	fmt.Fprintf(bw, "%s: %s\n", word(lang, "made"), r.Made.In(loc).Format(stamp))
	fmt.Fprintf(bw, "%s: #%d %s\n", word(lang, "journal"), r.JournalSeq, r.JournalHead)
	fmt.Fprintf(bw, "%s: %d\n\n", word(lang, "rows"), len(r.Rows))
	if len(r.Rows) == 0 {
		fmt.Fprintf(bw, "%s\n\n", word(lang, "none"))
	}
	for _, row := range r.Rows {
		fmt.Fprintf(bw, "%4d  %s  %s\n", row.No, row.Time.In(loc).Format(stamp), EventName(lang, row.Event))
		fmt.Fprintf(bw, "      %s: %s  %q", word(lang, "document"), row.Document, row.Title)
		if row.Counterparty != "" {
			fmt.Fprintf(bw, "  (%s)", row.Counterparty)
		}
		bw.WriteString("\n")
		if d := st.detail(row); d != "" {
			fmt.Fprintf(bw, "      %s\n", d)
		}
		if row.Digest != (store.Digest32{}) {
			fmt.Fprintf(bw, "      %s %s, %s #%d\n", word(lang, "digest"), row.Digest, word(lang, "entry"), row.Seq)
		}
	}
	fmt.Fprintf(bw, "\n%s\n", word(lang, "sign"))
	return bw.Flush()
}
