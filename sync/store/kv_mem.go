package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// memKV is kvDB in memory: sorted keys per bucket, a readers-writer lock
// for bbolt's one-writer rule, and an undo log so a failed update leaves no
// trace, as a rolled-back bbolt transaction does.
type memKV struct {
	mu      sync.RWMutex
	buckets map[string]*memBucket
	closed  bool
}

type memBucket struct {
	keys []string // sorted
	vals map[string][]byte
}

type memTx struct {
	db       *memKV
	writable bool
	undo     []func()
}

type memBucketTx struct {
	tx *memTx
	b  *memBucket
}

type memCursor struct {
	b   *memBucket
	pos int
}

func newMemKV() *memKV { return &memKV{buckets: map[string]*memBucket{}} }

func (d *memKV) view(fn func(kvTx) error) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return ErrClosed
	}
	return fn(&memTx{db: d})
}

func (d *memKV) update(fn func(kvTx) error) (err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	tx := &memTx{db: d, writable: true}
	defer func() {
		if r := recover(); r != nil {
			tx.rollback()
			panic(r)
		}
		if err != nil {
			tx.rollback()
		}
	}()
	return fn(tx)
}

func (d *memKV) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	return nil
}

func (t *memTx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
}

func (t *memTx) bucket(name []byte) kvBucket {
	if b, ok := t.db.buckets[string(name)]; ok {
		return memBucketTx{t, b}
	}
	return nil
}

func (t *memTx) createBucket(name []byte) (kvBucket, error) {
	if !t.writable {
		return nil, bolterrors.ErrTxNotWritable
	}
	if b := t.bucket(name); b != nil {
		return b, nil
	}
	b := &memBucket{vals: map[string][]byte{}}
	n := string(name)
	t.db.buckets[n] = b
	t.undo = append(t.undo, func() { delete(t.db.buckets, n) })
	return memBucketTx{t, b}, nil
}

func (t *memTx) deleteBucket(name []byte) error {
	if !t.writable {
		return bolterrors.ErrTxNotWritable
	}
	n := string(name)
	b, ok := t.db.buckets[n]
	if !ok {
		return bolterrors.ErrBucketNotFound
	}
	delete(t.db.buckets, n)
	t.undo = append(t.undo, func() { t.db.buckets[n] = b })
	return nil
}

func (t *memTx) bucketNames() [][]byte {
	names := make([]string, 0, len(t.db.buckets))
	for n := range t.db.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = []byte(n)
	}
	return out
}

// snapshot copies everything into a temporary bbolt file and writes that,
// so a memory store's backup restores into a real one.
func (t *memTx) snapshot(w io.Writer) error {
	dir, err := os.MkdirTemp("", "qoltanba-mem-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(filepath.Join(dir, dbFileName), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for name, mb := range t.db.buckets {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			b.FillPercent = 1 // keys go in ascending order
			for _, k := range mb.keys {
				if err := b.Put([]byte(k), mb.vals[k]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("build snapshot: %w", err)
	}
	return db.View(func(tx *bolt.Tx) error { _, err := tx.WriteTo(w); return err })
}

func (b memBucketTx) get(k []byte) []byte {
	return b.b.vals[string(k)]
}

func (b memBucketTx) put(k, v []byte) error {
	if !b.tx.writable {
		return bolterrors.ErrTxNotWritable
	}
	if len(k) == 0 {
		return bolterrors.ErrKeyRequired
	}
	key := string(k)
	old, existed := b.b.vals[key]
	if !existed {
		i, _ := slices.BinarySearch(b.b.keys, key)
		b.b.keys = slices.Insert(b.b.keys, i, key)
	}
	b.b.vals[key] = append([]byte{}, v...)
	mb := b.b
	b.tx.undo = append(b.tx.undo, func() {
		if existed {
			mb.vals[key] = old
			return
		}
		mb.remove(key)
	})
	return nil
}

func (b memBucketTx) delete(k []byte) error {
	if !b.tx.writable {
		return bolterrors.ErrTxNotWritable
	}
	key := string(k)
	old, existed := b.b.vals[key]
	if !existed {
		return nil
	}
	b.b.remove(key)
	mb := b.b
	b.tx.undo = append(b.tx.undo, func() {
		i, _ := slices.BinarySearch(mb.keys, key)
		mb.keys = slices.Insert(mb.keys, i, key)
		mb.vals[key] = old
	})
	return nil
}

func (m *memBucket) remove(key string) {
	if i, ok := slices.BinarySearch(m.keys, key); ok {
		m.keys = slices.Delete(m.keys, i, i+1)
	}
	delete(m.vals, key)
}

func (b memBucketTx) cursor() kvCursor { return &memCursor{b: b.b, pos: -1} }

func (c *memCursor) at() ([]byte, []byte) {
	if c.pos < 0 || c.pos >= len(c.b.keys) {
		c.pos = max(-1, min(c.pos, len(c.b.keys)))
		return nil, nil
	}
	k := c.b.keys[c.pos]
	return []byte(k), c.b.vals[k]
}

func (c *memCursor) first() ([]byte, []byte) { c.pos = 0; return c.at() }
func (c *memCursor) last() ([]byte, []byte)  { c.pos = len(c.b.keys) - 1; return c.at() }
func (c *memCursor) next() ([]byte, []byte)  { c.pos++; return c.at() }
func (c *memCursor) prev() ([]byte, []byte)  { c.pos--; return c.at() }

func (c *memCursor) seek(k []byte) ([]byte, []byte) {
	c.pos, _ = slices.BinarySearch(c.b.keys, string(k))
	return c.at()
}
