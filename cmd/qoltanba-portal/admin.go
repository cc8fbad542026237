package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/qoltanba/qoltanba/signer/testpki"
	"github.com/qoltanba/qoltanba/sync/api"
	"github.com/qoltanba/qoltanba/sync/portal"
)

// operator is a client of a running portal's operator endpoints.
type operator struct {
	base, token string
}

func operatorFlags(fs *flag.FlagSet) func() (*operator, error) {
	url := fs.String("portal", "http://127.0.0.1:8780", "the portal's `URL`")
	dir := fs.String("data", defaultDataDir(), "the portal's data `DIR` (for its operator token)")
	return func() (*operator, error) {
		b, err := os.ReadFile(filepath.Join(*dir, tokenFile))
		if err != nil {
			return nil, fmt.Errorf("read the operator token: %w (is --data the portal's folder?)", err)
		}
		return &operator{base: strings.TrimRight(*url, "/") + api.BasePath, token: strings.TrimSpace(string(b))}, nil
	}
}

func (o *operator) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	req.Header.Set("Content-Type", "application/json")
	if method == http.MethodPost {
		var k [12]byte
		_, _ = rand.Read(k[:])
		req.Header.Set("Idempotency-Key", "op-"+hex.EncodeToString(k[:]))
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("the portal does not answer: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if resp.StatusCode >= 300 {
		var e api.Error
		if json.Unmarshal(raw, &e) == nil && e.Message != "" {
			return fmt.Errorf("the portal refused (%d %s): %s", resp.StatusCode, e.Code, e.Message)
		}
		return fmt.Errorf("the portal answered HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(raw, out)
}

// parse parses flags wherever they stand among the arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest, args = append(rest, args[0]), args[1:]
	}
}

func publish(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	iin := fs.String("iin", "", "the person's `IIN`")
	bin := fs.String("bin", "", "the company's `BIN` (its head and authorised signers sign)")
	title := fs.String("title", "", "the `TITLE` users see (default: the file name)")
	kind := fs.String("kind", "other", "agreement, contract, invoice, act, letter, scan or other")
	op := operatorFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || *iin == "" && *bin == "" {
		return usagef("name one FILE and --iin or --bin")
	}
	content, err := os.ReadFile(rest[0])
	if err != nil {
		return err
	}
	o, err := op()
	if err != nil {
		return err
	}
	name := filepath.Base(rest[0])
	if *title == "" {
		*title = name
	}
	var d api.Document
	err = o.call(ctx, http.MethodPost, "/admin/documents", api.Publication{To: api.Party{Iin: *iin, Bin: *bin}, Title: *title,
		Kind: api.DocumentKind(*kind), Name: name, MediaType: mime.TypeByExtension(filepath.Ext(name)), Content: content}, &d)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "published %s (%s, SHA-256 %s)\n", d.Id, d.Title, d.Sha256)
	return nil
}

func list(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	status := fs.String("status", "", "only documents with this `STATUS`")
	op := operatorFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	o, err := op()
	if err != nil {
		return err
	}
	path := "/admin/documents?limit=1000"
	if *status != "" {
		path += "&status=" + *status
	}
	var docs []api.Document
	if err := o.call(ctx, http.MethodGet, path, nil, &docs); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tDIRECTION\tFOR\tTITLE")
	for _, d := range docs {
		who := d.To.Iin
		if who == "" {
			who = "BIN " + d.To.Bin
		}
		if d.Direction == api.Outgoing {
			who = "from " + d.From.Iin
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Id, d.Status, d.Direction, who, d.Title)
	}
	return tw.Flush()
}

func show(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("show", flag.ContinueOnError)
	op := operatorFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name one document id")
	}
	o, err := op()
	if err != nil {
		return err
	}
	var d api.DocumentDetail
	if err := o.call(ctx, http.MethodGet, "/admin/documents/"+rest[0], nil, &d); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s  %s\n  %s, %s, version %d, SHA-256 %s\n", d.Document.Id, d.Document.Title, d.Document.Status, d.Document.Direction, d.Document.ContentVersion, d.Document.Sha256)
	for _, e := range d.History {
		by := e.By.Name
		if e.By.Iin != "" {
			by += " (IIN " + e.By.Iin + ")"
		}
		line := fmt.Sprintf("  %d  %s  %s by %s", e.Revision, e.At.Local().Format("2006-01-02 15:04:05"), e.Type, by)
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		if len(e.Receipt) > 0 {
			line += "  [receipt]"
		}
		fmt.Fprintln(out, line)
	}
	return nil
}

func revocation(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("revocation", flag.ContinueOnError)
	reason := fs.String("reason", "", "why, in a `SENTENCE`")
	op := operatorFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return usagef("name the document and propose, accept or refuse")
	}
	o, err := op()
	if err != nil {
		return err
	}
	body := api.AdminRevocation{Reason: *reason}
	switch rest[1] {
	case "propose":
		body.Action = api.AdminRevocationActionProposeRevocation
	case "accept", "refuse":
		body.Action = api.AdminRevocationActionAcceptRevocation
		if rest[1] == "refuse" {
			body.Action = api.AdminRevocationActionRefuseRevocation
		}
		var d api.DocumentDetail
		if err := o.call(ctx, http.MethodGet, "/admin/documents/"+rest[0], nil, &d); err != nil {
			return err
		}
		body.Revocation = d.Document.Revocation.Id
	default:
		return usagef("propose, accept or refuse, not %q", rest[1])
	}
	var d api.Document
	if err := o.call(ctx, http.MethodPost, "/admin/documents/"+rest[0]+"/revocations", body, &d); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s is %s\n", d.Id, d.Status)
	return nil
}

// compromises lists the certificates reported compromised or decides a
// holder's request to resume one (EDM agreement 8.8).
func compromises(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("compromises", flag.ContinueOnError)
	reason := fs.String("reason", "", "why, in a `SENTENCE`")
	op := operatorFlags(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 0 && len(rest) != 2 {
		return usagef("no arguments to list; FINGERPRINT resume|refuse to decide")
	}
	o, err := op()
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		var list []api.CompromiseRecord
		if err := o.call(ctx, http.MethodGet, "/admin/compromises", nil, &list); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FINGERPRINT	IIN	SINCE	RESUMPTION")
		for _, c := range list {
			state := "-"
			if r := c.Resumption; r.State != "" {
				state = fmt.Sprintf("%s (%s: %s)", r.State, r.Requested.Format("2006-01-02"), r.Reason)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Fingerprint, c.Iin, c.Since.Format("2006-01-02 15:04"), state)
		}
		return tw.Flush()
	}
	var decision api.ResumptionDecisionDecision
	switch rest[1] {
	case "resume":
		decision = api.Resume
	case "refuse":
		decision = api.Refuse
	default:
		return usagef("resume or refuse, not %q", rest[1])
	}
	var c api.CompromiseRecord
	if err := o.call(ctx, http.MethodPost, "/admin/compromises/"+rest[0], api.ResumptionDecision{Decision: decision, Reason: *reason}, &c); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %s\n", c.Fingerprint, c.Resumption.State)
	return nil
}

// seedDemo publishes the demo's sample documents once (an empty portal).
func seedDemo(ctx context.Context, url, token string, p *testpki.PKI, st portal.Storage, agreementsDir string) error {
	if docs, err := st.Documents(ctx, "", 1); err != nil || len(docs) > 0 {
		return err
	}
	o := &operator{base: url + api.BasePath, token: token}
	defer func() {
		if err := publishAgreements(ctx, o, agreementsDir); err != nil {
			fmt.Fprintf(os.Stderr, "qoltanba-portal: demo agreements: %v\n", err)
		}
	}()
	person, head := p.Find("gost/individual"), p.Find("gost/legal_head")
	samples := []api.Publication{
		{To: api.Party{Iin: person.IIN}, Title: "Договор поставки № 17", Kind: api.DocumentKindContract, Name: "dogovor-17.txt",
			MediaType: "text/plain; charset=utf-8", Content: []byte("ДОГОВОР ПОСТАВКИ № 17\n\nПоставщик обязуется поставить, а Покупатель принять и оплатить товар.\nСумма: 1 250 000 тенге.\n")},
		{To: api.Party{Iin: person.IIN}, Title: "Акт выполненных работ", Kind: api.DocumentKindAct, Name: "akt.txt",
			MediaType: "text/plain; charset=utf-8", Content: []byte("АКТ ВЫПОЛНЕННЫХ РАБОТ\n\nРаботы выполнены в полном объёме, стороны претензий не имеют.\n")},
		{To: api.Party{Iin: person.IIN}, Title: "Шот-фактура № 42", Kind: api.DocumentKindInvoice, Name: "shot-42.txt",
			MediaType: "text/plain; charset=utf-8", Content: []byte("ШОТ-ФАКТУРА № 42\n\nТөлем мерзімі: 10 күн.\nСомасы: 380 000 теңге.\n")},
		{To: api.Party{Bin: head.BIN}, Title: "Договор аренды офиса", Kind: api.DocumentKindContract, Name: "arenda.txt",
			MediaType: "text/plain; charset=utf-8", Content: []byte("ДОГОВОР АРЕНДЫ\n\nАрендодатель передаёт Арендатору помещение площадью 120 м².\n")},
	}
	for i := 0; ; i++ { // the server may still be starting
		if err := o.call(ctx, http.MethodGet, "/portal", nil, &api.PortalInfo{}); err == nil || i > 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, s := range samples {
		var d api.Document
		if err := o.call(ctx, http.MethodPost, "/admin/documents", s, &d); err != nil {
			return err
		}
	}
	return nil
}

// sampleTitles name the sample agreements this project was founded on.
var sampleTitles = map[string]string{
	"adr-edm-agreement":    "Соглашение об электронном документообороте (adr.com.kz)",
	"e-qazyna-terms":       "e-Qazyna: terms of use",
	"grain-receipts-terms": "Астық қолхаттары: пайдалану шарттары",
	"kezekte-terms":        "Kezekte.kz: пайдалану ережелері",
	"qoldau-privacy":       "Qoldau: privacy policy",
}

// publishAgreements publishes every NAME.LANG.txt of dir (read now, not
// copied anywhere) as an agreement; LANG is kk, ru or en (of "kk-ru", the
// first).
func publishAgreements(ctx context.Context, o *operator, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no agreements in %s (--agreements DIR)", dir)
	}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".txt")
		stem, lang, ok := strings.Cut(base, ".")
		if !ok {
			continue
		}
		lang, _, _ = strings.Cut(lang, "-")
		text, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		title := sampleTitles[stem]
		if title == "" {
			title = stem
		}
		var a api.Agreement
		pub := api.AgreementPublication{Title: title, Texts: []api.AgreementTextBody{{Language: api.Language(lang), Text: text}}}
		if err := o.call(ctx, http.MethodPost, "/admin/agreements", pub, &a); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

func listAgreements(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("agreements", flag.ContinueOnError)
	op := operatorFlags(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	o, err := op()
	if err != nil {
		return err
	}
	var list []api.Agreement
	if err := o.call(ctx, http.MethodGet, "/admin/agreements", nil, &list); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tLANGUAGES\tTITLE")
	for _, a := range list {
		var langs []string
		for _, t := range a.Texts {
			langs = append(langs, string(t.Language))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", a.Id, a.Version, strings.Join(langs, ","), a.Title)
	}
	return tw.Flush()
}
