package store

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// boltKV adapts bbolt to kvDB.
type boltKV struct{ db *bolt.DB }

type boltTx struct{ tx *bolt.Tx }
type boltBucket struct{ b *bolt.Bucket }
type boltCursor struct{ c *bolt.Cursor }

func (d boltKV) view(fn func(kvTx) error) error {
	return d.db.View(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (d boltKV) update(fn func(kvTx) error) error {
	return d.db.Update(func(tx *bolt.Tx) error { return fn(boltTx{tx}) })
}

func (d boltKV) close() error { return d.db.Close() }

func (t boltTx) bucket(name []byte) kvBucket {
	if b := t.tx.Bucket(name); b != nil {
		if appendMostly[string(name)] {
			b.FillPercent = 0.9
		}
		return boltBucket{b}
	}
	return nil
}

// appendMostly are the buckets whose keys start with a time-ordered ID or a
// sequence number: new keys land at the end, so pages split nearly full
// instead of bbolt's default half (the database is ~40% smaller).
var appendMostly = map[string]bool{
	string(bucketDocs): true, string(bucketVersions): true, string(bucketSigs): true,
	string(bucketIdxText): true, string(bucketJournal): true, string(bucketIdxJournal): true,
}

func (t boltTx) createBucket(name []byte) (kvBucket, error) {
	b, err := t.tx.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, err
	}
	return boltBucket{b}, nil
}

func (t boltTx) deleteBucket(name []byte) error { return t.tx.DeleteBucket(name) }

func (t boltTx) bucketNames() [][]byte {
	var names [][]byte
	_ = t.tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, append([]byte(nil), name...))
		return nil
	})
	return names
}

func (t boltTx) snapshot(w io.Writer) error {
	_, err := t.tx.WriteTo(w)
	return err
}

func (b boltBucket) get(k []byte) []byte     { return b.b.Get(k) }
func (b boltBucket) put(k, v []byte) error   { return b.b.Put(k, v) }
func (b boltBucket) delete(k []byte) error   { return b.b.Delete(k) }
func (b boltBucket) cursor() kvCursor        { return boltCursor{b.b.Cursor()} }
func (c boltCursor) first() ([]byte, []byte) { return c.c.First() }
func (c boltCursor) last() ([]byte, []byte)  { return c.c.Last() }
func (c boltCursor) next() ([]byte, []byte)  { return c.c.Next() }
func (c boltCursor) prev() ([]byte, []byte)  { return c.c.Prev() }

func (c boltCursor) seek(k []byte) ([]byte, []byte) { return c.c.Seek(k) }
