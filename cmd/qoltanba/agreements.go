package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/internal/textdiff"
	"github.com/qoltanba/qoltanba/sync/exchange"
)

// The agreements commands: a portal's agreements, read and accepted by
// signing (sync/exchange, sync/acceptance).

func agreementCommands() []command {
	return []command{
		{"agreements list", "", "list a portal's agreements, each at its current version, and which you accepted", agreementsList},
		{"agreements show", "ID", "print an agreement's text (--lang kk|ru|en) exactly as it is accepted", agreementsShow},
		{"agreements accept", "ID", "accept the current version in a language (--lang) by signing the acceptance (XMLDSig)", agreementsAccept},
		{"agreements export", "ID", "write the proof of your acceptance (-o FILE.zip): the text, the signed acceptance, the portal's receipt, certificates, revocation data, journal", agreementsExport},
	}
}

func agreementsList(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "agreements list", false)
	e, _, err := p.open(s, args, 0)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	_, list, err := e.Agreements(ctx, *p.account)
	if err != nil {
		return portalError(err)
	}
	if *p.asJSON {
		return printJSON(s.out, list)
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tLANGUAGES\tACCEPTED\tTITLE")
	for _, a := range list {
		accepted := "no"
		switch {
		case a.Accepted.Version == a.Version:
			accepted = fmt.Sprintf("yes (%s, %s)", a.Accepted.Language, a.Accepted.At.Local().Format("2006-01-02"))
		case a.Accepted.Version > 0:
			accepted = fmt.Sprintf("version %d only: a new version asks again", a.Accepted.Version)
		}
		langs := ""
		for i, t := range a.Texts {
			if i > 0 {
				langs += ","
			}
			langs += string(t.Language)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", a.Id, a.Version, langs, accepted, a.Title)
	}
	return tw.Flush()
}

func agreementsShow(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "agreements show", false)
	lang := p.fs.String("lang", "", "the `LANGUAGE` (kk, ru, en; default: the first the portal has)")
	diff := p.fs.Bool("diff", false, "show what changed since the version you accepted")
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	a, list, err := e.Agreements(ctx, *p.account)
	if err != nil {
		return portalError(err)
	}
	for _, ag := range list {
		if ag.Id != rest[0] {
			continue
		}
		l := *lang
		if l == "" && len(ag.Texts) > 0 {
			l = string(ag.Texts[0].Language)
		}
		if *diff && *lang == "" && ag.Accepted.Language != "" {
			l = string(ag.Accepted.Language)
		}
		text, err := e.AgreementText(ctx, a, ag, l)
		if err != nil {
			return portalError(err)
		}
		if !*diff {
			_, err = s.out.Write(text)
			return err
		}
		if ag.Accepted.Version == 0 || ag.Accepted.Version == ag.Version {
			fmt.Fprintf(s.out, "Nothing to compare: you accepted no earlier version of %q.\n", ag.Title)
			return nil
		}
		old, err := e.AcceptedText(ctx, a.Name, ag.Id, ag.Accepted.Version, l)
		if err != nil {
			return portalError(err)
		}
		fmt.Fprintf(s.out, "What changed from version %d (accepted) to version %d (%s):\n", ag.Accepted.Version, ag.Version, l)
		for _, line := range textdiff.Changes(textdiff.Lines(string(old), string(text)), 2) {
			fmt.Fprintf(s.out, "%c %s\n", line.Op, line.Text)
		}
		return nil
	}
	return withHint(fmt.Errorf("no agreement %s on %s: %w", rest[0], a.Name, exchange.ErrState), "'qoltanba agreements list' shows the ids")
}

func agreementsAccept(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "agreements accept", true)
	lang := p.fs.String("lang", "", "the `LANGUAGE` of the text you read and accept (kk, ru, en)")
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	if *lang == "" {
		return usagef("say which text you accept with --lang kk|ru|en")
	}
	acc, err := e.Accept(ctx, *p.account, rest[0], *lang, *p.key, p.ui, e.Core.Settings().Offline)
	if err != nil {
		return portalError(err)
	}
	if *p.asJSON {
		return printJSON(s.out, struct {
			Agreement string `json:"agreement"`
			Version   int    `json:"version"`
			Language  string `json:"language"`
			Text      string `json:"textDocument"`
			Document  string `json:"acceptanceDocument"`
			Sent      bool   `json:"sent"`
		}{acc.Agreement.Id, acc.Agreement.Version, *lang, acc.Text.String(), acc.Document.String(), acc.Sent})
	}
	if acc.Warning != "" {
		fmt.Fprintf(s.err, "warning: %s\n", acc.Warning)
	}
	return printQueued(s, false, fmt.Sprintf("Accepted %q version %d (%s)", acc.Agreement.Title, acc.Agreement.Version, *lang), &acc.Queued)
}

func agreementsExport(ctx context.Context, s stdio, args []string) error {
	p := newPortalFlags(s, "agreements export", false)
	out := p.fs.String("o", "", "write the evidence package to `FILE.zip`")
	version := p.fs.Int("version", 0, "the accepted `VERSION` (default: the latest you accepted)")
	offline := p.fs.Bool("offline", false, "no network: package the revocation data already cached")
	var trust multiFlag
	p.fs.Var(&trust, "trust", "trust the root certificates in `FILE_OR_DIR` (repeatable)")
	e, rest, err := p.open(s, args, 1)
	if err != nil {
		return err
	}
	defer closeCore(e.Core)
	if *out == "" {
		return usagef("name the package with -o FILE.zip")
	}
	statement, _, err := e.Acceptance(ctx, *p.account, rest[0], *version)
	if err != nil {
		return withHint(portalError(err), "'qoltanba agreements list' shows what you accepted")
	}
	return exportPackage(ctx, s, e.Core, statement.Document, *out, core.VerifyOptions{Offline: *offline, Trust: trust}, programLanguage(*p.dir), *p.asJSON)
}
