package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/qoltanba/qoltanba/sync/store"
)

// errJournalBroken is returned (after the report is printed) when the
// journal or the stored documents fail verification, so the exit code is 1.
type errJournalBroken struct{ store.JournalReport }

func (e errJournalBroken) Error() string { return e.Err().Error() }

func journalVerify(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("journal verify", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	st, err := openStore(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.VerifyJournal(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(s.out, r); err != nil {
			return err
		}
	} else {
		printReport(s, r)
	}
	if !r.OK {
		return withHint(errJournalBroken{r},
			"the database or its content files were changed outside Qoltanba: keep this copy as evidence and restore the last good backup with 'qoltanba db restore FILE'")
	}
	return nil
}

func printReport(s stdio, r store.JournalReport) {
	status := "OK"
	if !r.OK {
		status = "BROKEN"
	}
	fmt.Fprintf(s.out, "Journal: %s, %d entries, head %s\n", status, r.Entries, r.Head)
	fmt.Fprintf(s.out, "Checked: %d documents, %d versions, %d signatures\n", r.Documents, r.Versions, r.Signs)
	if r.FirstBroken != 0 {
		fmt.Fprintf(s.out, "First broken entry: #%d: %s\n", r.FirstBroken, r.Reason)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintf(s.out, "Problems:\n  %s\n", strings.Join(r.Problems, "\n  "))
	}
}
