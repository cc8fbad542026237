package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/sync/store"
)

// dataDirEnv names the data folder for every command and the GUI when
// --data-dir is not given.
const dataDirEnv = "QOLTANBA_DATA_DIR"

// dataDirFlag registers --data-dir on a command's flags.
func dataDirFlag(fs *flag.FlagSet) *string {
	return fs.String("data-dir", "", "keep documents and the journal in `DIR` (default $"+dataDirEnv+" or the usual per-user folder)")
}

// dataDir resolves the data folder: the flag, then $QOLTANBA_DATA_DIR, then
// the OS's usual per-user folder (store.DefaultDir).
func dataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv(dataDirEnv); env != "" {
		return env, nil
	}
	dir, err := store.DefaultDir()
	if err != nil {
		return "", withHint(fmt.Errorf("find the data folder: %w", err), "give one with --data-dir DIR or $"+dataDirEnv)
	}
	return dir, nil
}

// openStore opens the store in the resolved data folder, turning the
// conditions a user can act on into hints.
func openStore(flagValue string) (*store.Bolt, error) {
	dir, err := dataDir(flagValue)
	if err != nil {
		return nil, err
	}
	s, err := store.Open(dir, store.Options{})
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, store.ErrLocked):
		return nil, withHint(err,
			"Qoltanba keeps one program at a time on a database: close the Qoltanba window or wait for the other command",
			"the data folder is "+dir)
	case errors.Is(err, store.ErrSchemaTooNew):
		return nil, withHint(err, "a newer Qoltanba wrote this database: install that version")
	}
	return nil, err
}

// parseDocumentID reads a document id given on the command line.
func parseDocumentID(arg string) (store.ID, error) {
	id, err := store.ParseID(arg)
	if err != nil {
		return id, withHint(err, "'qoltanba docs list' shows the ids")
	}
	return id, nil
}

// openDocument opens the store and finds the document named on the command
// line; the caller closes the store.
func openDocument(ctx context.Context, dirFlag, arg string) (*store.Bolt, store.Document, error) {
	id, err := parseDocumentID(arg)
	if err != nil {
		return nil, store.Document{}, err
	}
	st, err := openStore(dirFlag)
	if err != nil {
		return nil, store.Document{}, err
	}
	d, err := st.Document(ctx, id)
	if err != nil {
		st.Close()
		if errors.Is(err, store.ErrNotFound) {
			err = withHint(err, "'qoltanba docs list' shows the ids")
		}
		return nil, store.Document{}, err
	}
	return st, d, nil
}

// openDocumentCore opens the core with the store and finds the document
// named on the command line; the caller closes the core (closeCore).
func openDocumentCore(ctx context.Context, s stdio, dirFlag, arg string) (*core.Core, store.Document, error) {
	st, d, err := openDocument(ctx, dirFlag, arg)
	if err != nil {
		return nil, d, err
	}
	c, err := openCore(s, dirFlag, nil, false)
	if err != nil {
		st.Close()
		return nil, d, err
	}
	c.Store = st
	return c, d, nil
}
