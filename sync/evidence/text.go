package evidence

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Text writes the result for people: what was checked, each signature's
// report, the journal, then every problem by part and path.
func (r *Result) Text(w io.Writer) error {
	var b bytes.Buffer
	d := r.Document
	fmt.Fprintf(&b, "Evidence package for %s %q (%s, %s), made %s\n", d.ID, d.Title, d.Kind, d.State, r.Created.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Files: %d listed in the manifest; versions: %d; signatures: %d\n", r.Files, r.Versions, len(r.Signatures))
	for _, s := range r.Signatures {
		fmt.Fprintf(&b, "\nSignature %d of version %d (%s, %s) by %s:\n", s.Index, s.Version, s.Format, s.Path, s.Signer)
		if s.Report == nil {
			b.WriteString("  not verified (see the problems below)\n")
			continue
		}
		var rep bytes.Buffer
		if err := s.Report.Text(&rep); err != nil {
			return err
		}
		for _, line := range strings.Split(strings.TrimRight(rep.String(), "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	if a := r.Agreement; a != nil {
		fmt.Fprintf(&b, "\nThe accepted text: %s %q (%s), SHA-256 %s\n", a.Document, a.Title, a.Path, a.SHA256)
	}
	j := r.Journal
	fmt.Fprintf(&b, "\nJournal extract: entries %d to %d (%d), head #%d %s\n", j.FirstSeq, j.HeadSeq, j.Entries, j.HeadSeq, j.Head)
	b.WriteString("  compare the head with 'qoltanba journal verify' on the computer that made the package\n")
	for _, e := range j.DocumentEntries {
		b.WriteString("  " + e + "\n")
	}
	if len(r.Problems) == 0 {
		b.WriteString("\nPackage intact: manifest, contents, signatures, certificates, revocation data and journal agree.\n")
	} else {
		fmt.Fprintf(&b, "\nPackage BROKEN: %d problem(s):\n", len(r.Problems))
		for _, p := range r.Problems {
			b.WriteString("  " + p.String() + "\n")
		}
	}
	fmt.Fprintf(&b, "Result: %s\n", r.Indication)
	_, err := w.Write(b.Bytes())
	return err
}
