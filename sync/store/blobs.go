package store

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	storageInline = "inline"
	storageFile   = "file"
)

// fileBlobs keeps large contents as files named by their SHA-256 (layout.go
// says why and how this stays crash-safe).
type fileBlobs struct {
	dir    string
	noSync bool
}

func (f *fileBlobs) path(sum Digest32) string {
	h := hex.EncodeToString(sum[:])
	return filepath.Join(f.dir, h[:2], h)
}

// write stores data under its digest durably: temporary file, fsync,
// rename, fsync of the folder. An existing file of the right size is kept:
// the bytes are the same by construction.
func (f *fileBlobs) write(sum Digest32, data []byte) error {
	final := f.path(sum)
	if st, err := os.Stat(final); err == nil && st.Size() == int64(len(data)) {
		return nil
	}
	sub := filepath.Dir(final)
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return fmt.Errorf("content folder: %w", err)
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(f.dir, "tmp-"+hex.EncodeToString(rnd[:]))
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write content: %w", err)
	}
	_, err = out.Write(data)
	if err == nil && !f.noSync {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write content: %w", err)
	}
	if !f.noSync {
		if err := syncDir(sub); err != nil {
			return fmt.Errorf("write content: %w", err)
		}
	}
	return nil
}

func (f *fileBlobs) read(sum Digest32) ([]byte, error) {
	data, err := os.ReadFile(f.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("content file %s is missing: %w", sum, ErrTampered)
	}
	return data, err
}

// collect removes temporary files and content files the database does not
// reference: leftovers of a crash between writing a file and committing the
// transaction that would have referenced it.
func (f *fileBlobs) collect(referenced func(Digest32) bool) (int, error) {
	removed := 0
	err := filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		name := d.Name()
		var sum Digest32
		orphan := strings.HasPrefix(name, "tmp-")
		if !orphan {
			if len(name) != 64 || sum.UnmarshalText([]byte(name)) != nil {
				return nil // not ours: leave it
			}
			orphan = !referenced(sum)
		}
		if orphan {
			if err := os.Remove(path); err != nil {
				return err
			}
			removed++
		}
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("collect orphan contents: %w", err)
	}
	return removed, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// stage decides where content goes and, for a file, writes it before any
// transaction refers to it.
func (c *core) stage(sum Digest32, data []byte) (string, error) {
	if c.files == nil || len(data) <= c.opts.InlineLimit {
		return storageInline, nil
	}
	if err := c.files.write(sum, data); err != nil {
		return "", err
	}
	return storageFile, nil
}

// putBlob records staged content inside the transaction.
func putBlob(tx kvTx, storage string, sum Digest32, data []byte) error {
	switch storage {
	case storageInline:
		b := tx.bucket(bucketBlobs)
		if b.get(sum[:]) != nil {
			return nil
		}
		return b.put(sum[:], data)
	case storageFile:
		return tx.bucket(bucketFiles).put(sum[:], binary.BigEndian.AppendUint64(nil, uint64(len(data))))
	}
	return fmt.Errorf("unknown storage %q", storage)
}

// readBlob returns a copy of stored content after checking its digest.
func (c *core) readBlob(tx kvTx, storage string, sum Digest32) ([]byte, error) {
	var data []byte
	switch storage {
	case storageInline:
		v := tx.bucket(bucketBlobs).get(sum[:])
		if v == nil {
			return nil, fmt.Errorf("content %s is missing from the database: %w", sum, ErrTampered)
		}
		data = bytes.Clone(v)
	case storageFile:
		if c.files == nil {
			return nil, fmt.Errorf("content %s is kept in a file but this store has none", sum)
		}
		var err error
		if data, err = c.files.read(sum); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("content %s: unknown storage %q: %w", sum, storage, ErrTampered)
	}
	if sha256.Sum256(data) != sum {
		return nil, fmt.Errorf("content %s does not hash to its name: %w", sum, ErrTampered)
	}
	return data, nil
}
