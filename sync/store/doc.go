// Package store keeps Qoltanba's documents, their versions and signatures,
// and a tamper-evident journal of everything done to them, in a bbolt
// database (layout.go draws the whole layout). Nothing signed is ever lost
// or silently changed: versions are write-once, every change and its
// journal entry commit in one transaction, the journal is a hash chain, and
// VerifyJournal re-checks every stored content against the digests the
// journal recorded.
//
// Open takes the data folder (DefaultDir, or --data-dir / QOLTANBA_DATA_DIR
// in the CLI); OpenMemory gives the same behaviour in memory.
package store
