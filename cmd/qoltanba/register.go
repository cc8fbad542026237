package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/qoltanba/qoltanba/assets/translations"
	"github.com/qoltanba/qoltanba/internal/atomicfile"
	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/sync/register"
)

// The registers of incoming and outgoing documents (sync/register).

func registerCommands() []command {
	return []command{
		{"register incoming", "", "the register of incoming documents for a period (--from, --to; CSV, printable text or JSON)", registerCmd(register.Incoming)},
		{"register outgoing", "", "the register of outgoing documents: signed, sent, receipts, rejected, revoked, deleted", registerCmd(register.Outgoing)},
	}
}

func registerCmd(dir register.Direction) func(context.Context, stdio, []string) error {
	return func(ctx context.Context, s stdio, args []string) error {
		fs := flag.NewFlagSet("register "+string(dir), flag.ContinueOnError)
		now := time.Now()
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.Local)
		from := fs.String("from", first.Format(time.DateOnly), "the first `DATE` of the period (YYYY-MM-DD; default: the first of this month)")
		to := fs.String("to", now.Format(time.DateOnly), "the last `DATE` of the period, included (default: today)")
		format := fs.String("format", "text", "`FORMAT`: text (to print), csv or json")
		out := fs.String("o", "", "write to `FILE` instead of the terminal")
		lang := fs.String("lang", "", "the `LANGUAGE` of the headings: kk, ru or en (default: the program's)")
		dataDir := dataDirFlag(fs)
		rest, err := parseFlags(fs, args)
		if err != nil {
			return err
		}
		if len(rest) > 0 {
			return usagef("unexpected argument %q", rest[0])
		}
		start, err := time.ParseInLocation(time.DateOnly, *from, time.Local)
		if err != nil {
			return usagef("--from %q: write the date as YYYY-MM-DD", *from)
		}
		last, err := time.ParseInLocation(time.DateOnly, *to, time.Local)
		if err != nil {
			return usagef("--to %q: write the date as YYYY-MM-DD", *to)
		}
		if last.Before(start) {
			return usagef("--to %s is before --from %s", *to, *from)
		}
		if *format != "text" && *format != "csv" && *format != "json" {
			return usagef("--format is text, csv or json")
		}
		if *lang, err = languageFlag(*lang, *dataDir, "--lang"); err != nil {
			return err
		}
		st, err := openStore(*dataDir)
		if err != nil {
			return err
		}
		defer st.Close()
		r, err := register.Build(ctx, st, dir, start, last.AddDate(0, 0, 1), now)
		if err != nil {
			return err
		}
		write := func(w io.Writer) error {
			switch *format {
			case "csv":
				return r.WriteCSV(w, register.Style{Lang: *lang})
			case "json":
				return printJSON(w, r)
			}
			return r.WriteText(w, register.Style{Lang: *lang})
		}
		if *out == "" {
			return write(s.out)
		}
		if err := atomicfile.WriteWith(*out, 0o600, write); err != nil {
			return fmt.Errorf("write %s: %w", *out, err)
		}
		fmt.Fprintf(s.out, "%s, %s — %s: %d entries written to %s\n", r.Title("en"), *from, *to, len(r.Rows), *out)
		return nil
	}
}

// programLanguage is the language chosen in the window's settings of the
// data folder, else the locale's.
func programLanguage(dirFlag string) string {
	if dir, err := dataDir(dirFlag); err == nil {
		if set, err := core.LoadSettings(dir); err == nil {
			return userLanguage(set.Language)
		}
	}
	return userLanguage("")
}

// userLanguage is chosen (a settings' language) when set, else the
// locale's (LC_ALL, LC_MESSAGES, LANG: the first set; not LANGUAGE, which
// envlocale sets to en under the POSIX locale), else English.
func userLanguage(chosen string) string {
	if chosen != "" {
		return chosen
	}
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(env); v != "" {
			return translations.SystemLanguage(v)
		}
	}
	return "en"
}

// languageFlag is a --lang-like flag's language: its value, else the
// program's; refused when it is none of kk, ru, en.
func languageFlag(value, dirFlag, flagName string) (string, error) {
	if value == "" {
		value = programLanguage(dirFlag)
	}
	if !slices.Contains(translations.Languages, value) {
		return "", usagef("%s is kk, ru or en", flagName)
	}
	return value, nil
}
