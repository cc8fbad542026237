package store

import (
	"fmt"
	"time"
)

// migration upgrades a database from schema `from` to from+1 inside one
// write transaction: it completes or leaves no trace.
type migration struct {
	from int
	what string
	run  func(tx kvTx) error
}

// migrations, in order. Append only: a released schema never changes.
var migrations = []migration{
	{from: 1, what: "add the document kind index (idx.kind)", run: migrateKindIndex},
	{from: 2, what: "add the portal exchange buckets (x.*)", run: migrateExchange},
}

// migrateKindIndex builds idx.kind from the documents' records: schema 1
// filtered by kind through idx.text alone, which meant reading every
// document's index entry for a kind filter.
func migrateKindIndex(tx kvTx) error {
	idx, err := tx.createBucket(bucketIdxKind)
	if err != nil {
		return err
	}
	cur := tx.bucket(bucketIdxText).cursor()
	for k, v := cur.first(); k != nil; k, v = cur.next() {
		if len(v) < 2 || len(k) != len(ID{}) {
			return fmt.Errorf("idx.text entry %x is malformed", k)
		}
		if err := idx.put(append([]byte{v[1]}, k...), nil); err != nil {
			return err
		}
	}
	return nil
}

// migrateExchange adds the empty buckets of the portal exchange.
func migrateExchange(tx kvTx) error {
	for _, name := range [][]byte{bucketXAccounts, bucketXLinks, bucketXRemote, bucketXOutbox, bucketXOutKeys, bucketXReceipts, bucketXCursors} {
		if _, err := tx.createBucket(name); err != nil {
			return err
		}
	}
	return nil
}

// migrate brings a database to schemaVersion: a new one gets every bucket
// and the current version; an older one runs each migration after backup(from)
// (nil: no backup, the memory store). A newer one is refused.
func migrate(kv kvDB, now func() time.Time, backup func(from int) error) error {
	var v int
	if err := kv.view(func(tx kvTx) (err error) { v, err = readSchema(tx); return err }); err != nil {
		return err
	}
	if v > schemaVersion {
		return fmt.Errorf("%w: the database has schema %d, this Qoltanba knows up to %d: install the newer version",
			ErrSchemaTooNew, v, schemaVersion)
	}
	if v == 0 {
		return kv.update(func(tx kvTx) error {
			for _, name := range schemaBuckets[schemaVersion] {
				if _, err := tx.createBucket(name); err != nil {
					return err
				}
			}
			if err := tx.bucket(bucketMeta).put(keyCreated, []byte(now().UTC().Format(time.RFC3339))); err != nil {
				return err
			}
			return writeSchema(tx, schemaVersion)
		})
	}
	for _, m := range migrations {
		if m.from != v {
			continue
		}
		if backup != nil {
			if err := backup(v); err != nil {
				return err
			}
		}
		err := kv.update(func(tx kvTx) error {
			if err := m.run(tx); err != nil {
				return err
			}
			return writeSchema(tx, m.from+1)
		})
		if err != nil {
			return fmt.Errorf("migrate schema %d→%d (%s): %w", m.from, m.from+1, m.what, err)
		}
		v++
	}
	if v != schemaVersion {
		return fmt.Errorf("no migration from schema %d", v)
	}
	return nil
}
