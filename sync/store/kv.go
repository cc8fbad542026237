package store

import "io"

// The document logic (documents.go, journal.go, list.go…) is written once
// against this small ordered key-value interface, which bbolt and the
// in-memory map both provide. That is what lets the bbolt store and the
// in-memory store share one behaviour and one test suite: they differ only
// in where bytes live, never in the rules.
//
// The contract is bbolt's: one writer or many readers; values returned by
// get and cursors are valid only inside the transaction and must not be
// modified; a bucket is not modified while a cursor walks it.
type kvDB interface {
	view(fn func(kvTx) error) error
	update(fn func(kvTx) error) error
	close() error
}

type kvTx interface {
	bucket(name []byte) kvBucket // nil if absent
	createBucket(name []byte) (kvBucket, error)
	deleteBucket(name []byte) error
	bucketNames() [][]byte
	// snapshot writes the whole database as a bbolt file.
	snapshot(w io.Writer) error
}

type kvBucket interface {
	get(key []byte) []byte
	put(key, value []byte) error
	delete(key []byte) error
	cursor() kvCursor
}

type kvCursor interface {
	first() (k, v []byte)
	last() (k, v []byte)
	seek(k []byte) (key, v []byte) // first key ≥ k
	next() (k, v []byte)
	prev() (k, v []byte)
}
