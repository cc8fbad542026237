package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/qoltanba/qoltanba/sync/store"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func docsAdd(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs add", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the new document as JSON")
	title := fs.String("title", "", "the document's `TITLE` (default: the file name)")
	kind := fs.String("kind", "", "`KIND`: agreement, contract, invoice, act, letter, scan or other")
	counterparty := fs.String("counterparty", "", "the other party's `NAME`")
	dir := dataDirFlag(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one file")
	}
	nd := store.NewDocument{Name: filepath.Base(files[0]), Title: *title, Counterparty: *counterparty}
	if *kind != "" {
		if nd.Kind, err = store.ParseKind(*kind); err != nil {
			return usagef("%v", err)
		}
	}
	c, err := openCore(s, *dir, nil, true)
	if err != nil {
		return err
	}
	defer closeCore(c)
	d, err := c.ImportFile(ctx, files[0], nd)
	if err != nil {
		return importError(err)
	}
	if *asJSON {
		return printJSON(s.out, d)
	}
	fmt.Fprintln(s.out, d.ID)
	return nil
}

func importError(err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return withHint(err, "check the file name")
	case errors.Is(err, store.ErrTooLarge):
		return withHint(err, "the portals accept documents and scans up to 10 MB: scan at 200–300 dpi in grey, or split the file")
	case errors.Is(err, store.ErrForbiddenType):
		return withHint(err, "Qoltanba keeps documents (PDF, XML, office files, scans), never programs or scripts")
	case errors.Is(err, store.ErrTypeMismatch):
		return withHint(err, "rename the file to match what it is, or export it again from the program that made it")
	}
	return err
}

func docsList(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	state := fs.String("state", "", "only documents in `STATE` (draft, ready, signed, queued, sent, acknowledged, rejected, revoked)")
	kind := fs.String("kind", "", "only documents of `KIND`")
	query := fs.String("query", "", "only documents whose title, counterparty or file name contains `TEXT`")
	limit := fs.Int("limit", 50, "at most `N` documents")
	after := fs.String("after", "", "continue after document `ID` (from the previous page)")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q", rest[0])
	}
	q := store.Query{Text: *query, Limit: *limit}
	if *state != "" {
		if q.State, err = store.ParseState(*state); err != nil {
			return usagef("%v", err)
		}
	}
	if *kind != "" {
		if q.Kind, err = store.ParseKind(*kind); err != nil {
			return usagef("%v", err)
		}
	}
	if *after != "" {
		if q.After, err = store.ParseID(*after); err != nil {
			return usagef("%v", err)
		}
	}
	st, err := openStore(*dir)
	if err != nil {
		return err
	}
	defer st.Close()
	page, err := st.List(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		if page.Documents == nil {
			page.Documents = []store.Document{}
		}
		return printJSON(s.out, page)
	}
	if len(page.Documents) == 0 {
		fmt.Fprintln(s.err, "no documents")
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tKIND\tMODIFIED\tTITLE\tCOUNTERPARTY")
	for _, d := range page.Documents {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.State, d.Kind, d.Modified.Local().Format("2006-01-02 15:04"), d.Title, d.Counterparty)
	}
	tw.Flush()
	if !page.Next.IsZero() {
		fmt.Fprintf(s.err, "more documents: add --after %s\n", page.Next)
	}
	return nil
}

// docDetail is what `docs show --json` prints.
type docDetail struct {
	store.Document
	Versions []versionDetail `json:"versions"`
	Journal  []store.Entry   `json:"journal"`
}

type versionDetail struct {
	store.Version
	SignatureList []store.Signature `json:"signatureList"`
}

func docsShow(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one document id")
	}
	st, d, err := openDocument(ctx, *dir, rest[0])
	if err != nil {
		return err
	}
	defer st.Close()
	id := d.ID
	out := docDetail{Document: d}
	versions, err := st.Versions(ctx, id)
	if err != nil {
		return err
	}
	for _, v := range versions {
		sigs, err := st.Signatures(ctx, id, v.Number)
		if err != nil {
			return err
		}
		if sigs == nil {
			sigs = []store.Signature{}
		}
		out.Versions = append(out.Versions, versionDetail{Version: v, SignatureList: sigs})
	}
	if out.Journal, err = st.Journal(ctx, store.JournalQuery{Document: id}); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(s.out, out)
	}
	tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", label, value)
		}
	}
	row("ID", d.ID.String())
	row("Title", d.Title)
	row("Kind", string(d.Kind))
	row("Counterparty", d.Counterparty)
	row("State", string(d.State))
	row("Created", d.Created.Local().Format(time.DateTime))
	row("Modified", d.Modified.Local().Format(time.DateTime))
	for _, v := range out.Versions {
		row(fmt.Sprintf("Version %d", v.Number), fmt.Sprintf("%s, %s, %d bytes, %d signature(s)", v.Name, v.MediaType, v.Size, v.Signatures))
		row("  SHA-256", v.SHA256.String())
		row("  Streebog-512", v.Streebog512.String())
		for _, sig := range v.SignatureList {
			row(fmt.Sprintf("  Signature %d", sig.Index), fmt.Sprintf("%s by %s (IIN %s), %s", sig.Format, sig.Signer.CommonName, sig.Signer.IIN, sig.SigningTime.Local().Format(time.DateTime)))
		}
	}
	tw.Flush()
	fmt.Fprintln(s.out, "\nJournal:")
	printEntries(s.out, out.Journal)
	return nil
}

func printEntries(w io.Writer, entries []store.Entry) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range entries {
		ver := ""
		if e.Version != 0 {
			ver = fmt.Sprintf("v%d", e.Version)
		}
		fmt.Fprintf(tw, "  #%d\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.Local().Format(time.DateTime), e.Action, ver, e.Detail)
	}
	tw.Flush()
}

func docsDelete(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("docs delete", flag.ContinueOnError)
	force := fs.Bool("force-before-retention", false, "delete a signed document before its 5-year retention ends (asks to confirm)")
	yes := fs.Bool("yes", false, "with --force-before-retention: confirm without a terminal (scripts)")
	reason := fs.String("reason", "", "why (`TEXT`), recorded in the journal")
	asJSON := fs.Bool("json", false, "print JSON")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one document id")
	}
	if *yes && !*force {
		return usagef("--yes confirms --force-before-retention; drafts and documents past retention need neither")
	}
	st, d, err := openDocument(ctx, *dir, rest[0])
	if err != nil {
		return err
	}
	defer st.Close()
	id := d.ID
	until := store.RetainedUntil(d)
	inRetention := !until.IsZero() && time.Now().Before(until)
	if inRetention {
		if !*force {
			return withHint(&store.RetentionError{ID: id, Title: d.Title, SignedAt: d.SignedAt, Until: until},
				"signed documents are kept 5 years with their certificates and journal (the portals' agreements require it)",
				"'qoltanba docs export "+id.String()+" -o FILE.zip' keeps the evidence; to delete anyway add --force-before-retention")
		}
		if !*yes {
			if err := confirmDeletion(s, d, until); err != nil {
				return err
			}
		}
	}
	del, err := st.DeleteDocument(ctx, id, store.DeleteOptions{ForceBeforeRetention: *force, Reason: *reason})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(s.out, del)
	}
	fmt.Fprintf(s.out, "Deleted %s %q: %d version(s), %d signature(s); its journal entries stay (delete journaled as #%d)\n",
		id, d.Title, del.Versions, del.Signatures, del.Entry.Seq)
	return nil
}

// errNotConfirmed: the user did not type the confirmation.
var errNotConfirmed = errors.New("deletion not confirmed: nothing was deleted")

// confirmDeletion asks on the terminal to type the document's title or
// "yes"; without a terminal it refuses (scripts pass --yes).
func confirmDeletion(s stdio, d store.Document, until time.Time) error {
	in, ok := s.in.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return withHint(errors.New("deleting a signed document before its retention ends needs a confirmation, and standard input is not a terminal"),
			"in scripts add --yes to --force-before-retention")
	}
	fmt.Fprintf(s.err, "%q was signed %s and must be kept until %s.\nDeleting it now removes its contents and signatures for good (the journal keeps their digests).\nType the document's title or \"yes\" to delete: ",
		d.Title, d.SignedAt.Local().Format(time.DateOnly), until.Local().Format(time.DateOnly))
	line, err := readFirstLine(in)
	if err != nil {
		return err
	}
	answer := strings.TrimSpace(string(line))
	if answer != "yes" && answer != d.Title {
		return errNotConfirmed
	}
	return nil
}
