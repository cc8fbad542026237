package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Bolt is the program's store: a bbolt database and a content folder in
// one data folder.
type Bolt struct {
	core
	db  *bolt.DB
	dir string
}

// Memory is a Store kept in memory, with the same rules as Bolt, for tests
// of the code above the store and for demos.
type Memory struct{ core }

var (
	_ Store = (*Bolt)(nil)
	_ Store = (*Memory)(nil)
)

// OpenMemory returns an empty in-memory store.
func OpenMemory(opts Options) (*Memory, error) {
	m := &Memory{core{kv: newMemKV(), opts: opts.withDefaults()}}
	if err := migrate(m.kv, m.opts.Now, nil); err != nil {
		return nil, err
	}
	return m, nil
}

// Open opens (creating if needed) the store in dir. The folder is created
// 0700 and the files 0600: documents and the journal are personal data. If
// another process holds the database, Open waits Options.Timeout and then
// fails with ErrLocked. An older schema is migrated, each step in one
// transaction after a copy of the file (qoltanba.db.v1-<time>.bak) is made.
// Contents left behind by a crash are collected.
func Open(dir string, opts Options) (*Bolt, error) {
	opts = opts.withDefaults()
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	path := filepath.Join(dir, dbFileName)
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:  opts.Timeout,
		NoSync:   opts.NoSync,
		ReadOnly: opts.ReadOnly,
		// The freelist is kept in the file (fast open: no page scan) as a
		// hash map (fast allocation once deletes have freed many pages).
		FreelistType: bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Bolt{core: core{kv: boltKV{db}, opts: opts}, db: db, dir: dir}
	s.files = &fileBlobs{dir: filepath.Join(dir, blobDirName), noSync: opts.NoSync}
	if opts.ReadOnly {
		if err := s.checkSchema(); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	}
	if err := migrate(s.kv, opts.Now, s.backupBeforeMigration); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := s.collectOrphans(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return s, nil
}

// Dir is the data folder.
func (s *Bolt) Dir() string { return s.dir }

// Path is the database file.
func (s *Bolt) Path() string { return s.db.Path() }

func (s *Bolt) checkSchema() error {
	return s.kv.view(func(tx kvTx) error {
		v, err := readSchema(tx)
		if err != nil {
			return err
		}
		if v != schemaVersion {
			return fmt.Errorf("database schema %d, this program needs %d: open it writable to migrate", v, schemaVersion)
		}
		return nil
	})
}

// backupBeforeMigration copies the whole database, consistently, before a
// migration from schema `from` rewrites it.
func (s *Bolt) backupBeforeMigration(from int) error {
	name := fmt.Sprintf("%s.v%d-%s.bak", s.db.Path(), from, time.Now().UTC().Format("20060102T150405Z"))
	return s.db.View(func(tx *bolt.Tx) error {
		if err := tx.CopyFile(name, 0o600); err != nil {
			return fmt.Errorf("back up before migrating schema %d: %w", from, err)
		}
		return nil
	})
}

func (s *Bolt) collectOrphans() error {
	return s.kv.view(func(tx kvTx) error {
		files := tx.bucket(bucketFiles)
		_, err := s.files.collect(func(sum Digest32) bool { return files.get(sum[:]) != nil })
		return err
	})
}

func readSchema(tx kvTx) (int, error) {
	meta := tx.bucket(bucketMeta)
	if meta == nil {
		return 0, nil
	}
	v := meta.get(keySchema)
	if v == nil {
		return 0, nil
	}
	if len(v) != 4 {
		return 0, fmt.Errorf("schema version record is %d bytes, want 4", len(v))
	}
	return int(binary.BigEndian.Uint32(v)), nil
}

func writeSchema(tx kvTx, v int) error {
	return tx.bucket(bucketMeta).put(keySchema, binary.BigEndian.AppendUint32(nil, uint32(v)))
}

func (s *Bolt) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}
