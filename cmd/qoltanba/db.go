package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/qoltanba/qoltanba/internal/atomicfile"

	"github.com/qoltanba/qoltanba/sync/store"
)

// dbBackup writes a backup of the store. bbolt lets one process at a time
// open the database, so this works while no other Qoltanba holds it; the
// GUI backs up from inside (store.Backup) while it runs.
func dbBackup(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("db backup", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	dir := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name the backup file to write")
	}
	path := rest[0]
	if fileExists(path) {
		return withHint(fmt.Errorf("%s exists", path), "choose a new name, e.g. "+store.DefaultBackupName())
	}
	st, err := openStore(*dir)
	if err != nil {
		var h *hintError
		if errors.As(err, &h) && errors.Is(err, store.ErrLocked) {
			h.hints = append(h.hints, "while the Qoltanba window is open, back up from it: Settings → Backup")
		}
		return err
	}
	defer st.Close()
	if err := atomicfile.WriteWith(path, 0o600, func(w io.Writer) error { return st.Backup(ctx, w) }); err != nil {
		return fmt.Errorf("db backup: %w", err)
	}
	info, _ := os.Stat(path)
	var size int64
	if info != nil {
		size = info.Size()
	}
	if *asJSON {
		return printJSON(s.out, map[string]any{"file": path, "size": size, "dataDir": st.Dir()})
	}
	fmt.Fprintf(s.out, "backed up %s to %s (%d bytes)\n", st.Dir(), path, size)
	return nil
}

// dbRestore replaces the store with a backup after checking that the
// backup opens and its journal verifies; the old files are kept as .bak.
func dbRestore(ctx context.Context, s stdio, args []string) error {
	fs := flag.NewFlagSet("db restore", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	dirFlag := dataDirFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("name the backup file to restore")
	}
	dir, err := dataDir(*dirFlag)
	if err != nil {
		return err
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return withHint(fmt.Errorf("db restore: %w", err), "check the file name")
	}
	defer f.Close()
	r, err := store.Restore(ctx, dir, f, store.Options{})
	if err != nil {
		switch {
		case errors.Is(err, store.ErrLocked):
			return withHint(err, "close the Qoltanba window first: a database in use cannot be replaced")
		case errors.Is(err, store.ErrTampered):
			return withHint(err, "the backup was changed or damaged; nothing was replaced")
		}
		return err
	}
	if *asJSON {
		return printJSON(s.out, map[string]any{"file": rest[0], "dataDir": dir, "journal": r,
			"previous": filepath.Join(dir, "qoltanba.db.bak")})
	}
	fmt.Fprintf(s.out, "restored %s into %s; the previous database is kept as qoltanba.db.bak\n", rest[0], dir)
	printReport(s, r)
	return nil
}
