package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/qoltanba/qoltanba/sync/api"
)

// Postgres is the portal's storage in PostgreSQL, for operators who
// outgrow one machine: several portal processes may share it. Records are
// kept as the same JSON the bbolt storage keeps (bytea, so that nothing
// re-encodes them); the tables only add the keys the queries need.
type Postgres struct {
	pool  *pgxpool.Pool
	epoch string
}

const pgSchema = `
CREATE TABLE IF NOT EXISTS portal_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS challenges (id text PRIMARY KEY, record bytea NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (token_hash bytea PRIMARY KEY, record bytea NOT NULL);
CREATE TABLE IF NOT EXISTS operations (scope text NOT NULL, key text NOT NULL, record bytea NOT NULL, PRIMARY KEY (scope, key));
CREATE TABLE IF NOT EXISTS documents (id text PRIMARY KEY, revision bigint NOT NULL, status text NOT NULL, record bytea NOT NULL);
CREATE TABLE IF NOT EXISTS entries (document text NOT NULL REFERENCES documents (id), revision bigint NOT NULL, record bytea NOT NULL, PRIMARY KEY (document, revision));
CREATE TABLE IF NOT EXISTS contents (document text NOT NULL REFERENCES documents (id), version int NOT NULL, data bytea NOT NULL, PRIMARY KEY (document, version));
CREATE TABLE IF NOT EXISTS events (seq bigint PRIMARY KEY, record bytea NOT NULL);
CREATE TABLE IF NOT EXISTS feed (audience text NOT NULL, seq bigint NOT NULL REFERENCES events (seq), PRIMARY KEY (audience, seq));
CREATE TABLE IF NOT EXISTS agreements (id text NOT NULL, version int NOT NULL, record bytea NOT NULL, PRIMARY KEY (id, version));
CREATE TABLE IF NOT EXISTS agreement_texts (id text NOT NULL, version int NOT NULL, language text NOT NULL, text bytea NOT NULL,
	PRIMARY KEY (id, version, language), FOREIGN KEY (id, version) REFERENCES agreements (id, version));
CREATE TABLE IF NOT EXISTS compromised (fingerprint text PRIMARY KEY, record bytea NOT NULL);
CREATE TABLE IF NOT EXISTS acceptances (scope text NOT NULL, agreement text NOT NULL, version int NOT NULL, record bytea NOT NULL,
	PRIMARY KEY (scope, agreement, version));
`

// eventLock serialises the commits that add events, so that sequence
// numbers become visible in order: a reader can never see event n+1
// before event n and move its cursor past n.
const eventLock = 0x716f6c74 // "qolt"

// OpenPostgres connects to url (postgres://…) and creates the tables.
func OpenPostgres(ctx context.Context, url string) (*Postgres, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open the portal database: %w", err)
	}
	if _, err := pool.Exec(ctx, pgSchema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("create the portal's tables: %w", err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	if _, err := pool.Exec(ctx, `INSERT INTO portal_meta (key, value) VALUES ('epoch', $1) ON CONFLICT DO NOTHING`, hex.EncodeToString(b[:])); err != nil {
		pool.Close()
		return nil, err
	}
	p := &Postgres{pool: pool}
	if err := pool.QueryRow(ctx, `SELECT value FROM portal_meta WHERE key = 'epoch'`).Scan(&p.epoch); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

func (p *Postgres) Epoch() string { return p.epoch }
func (p *Postgres) Close() error  { p.pool.Close(); return nil }

func notFoundIf(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func (p *Postgres) PutChallenge(ctx context.Context, c Challenge) error {
	raw, _ := json.Marshal(c)
	_, err := p.pool.Exec(ctx, `INSERT INTO challenges (id, record) VALUES ($1, $2)`, c.ID, raw)
	return err
}

func (p *Postgres) TakeChallenge(ctx context.Context, id string) (Challenge, error) {
	var c Challenge
	var raw []byte
	if err := p.pool.QueryRow(ctx, `DELETE FROM challenges WHERE id = $1 RETURNING record`, id).Scan(&raw); err != nil {
		return c, notFoundIf(err)
	}
	return c, json.Unmarshal(raw, &c)
}

func (p *Postgres) PutSession(ctx context.Context, s Session) error {
	raw, _ := json.Marshal(s)
	_, err := p.pool.Exec(ctx, `INSERT INTO sessions (token_hash, record) VALUES ($1, $2)`, s.TokenHash[:], raw)
	return err
}

func (p *Postgres) Session(ctx context.Context, h [32]byte) (Session, error) {
	var s Session
	var raw []byte
	if err := p.pool.QueryRow(ctx, `SELECT record FROM sessions WHERE token_hash = $1`, h[:]).Scan(&raw); err != nil {
		return s, notFoundIf(err)
	}
	err := json.Unmarshal(raw, &s)
	s.TokenHash = h
	return s, err
}

func (p *Postgres) DeleteSession(ctx context.Context, h [32]byte) error {
	_, err := p.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, h[:])
	return err
}

func (p *Postgres) BeginOperation(ctx context.Context, op Operation, staleAfter time.Duration) (*Operation, error) {
	var found *Operation
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		raw, _ := json.Marshal(op)
		tag, err := tx.Exec(ctx, `INSERT INTO operations (scope, key, record) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, op.Scope, op.Key, raw)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var oldRaw []byte
		if err := tx.QueryRow(ctx, `SELECT record FROM operations WHERE scope = $1 AND key = $2 FOR UPDATE`, op.Scope, op.Key).Scan(&oldRaw); err != nil {
			return err
		}
		var old Operation
		if err := json.Unmarshal(oldRaw, &old); err != nil {
			return err
		}
		if old.Done || op.Started.Sub(old.Started) < staleAfter {
			found = &old
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE operations SET record = $3 WHERE scope = $1 AND key = $2`, op.Scope, op.Key, raw)
		return err
	})
	return found, err
}

func (p *Postgres) FinishOperation(ctx context.Context, op Operation) error {
	op.Done = true
	raw, _ := json.Marshal(op)
	_, err := p.pool.Exec(ctx, `UPDATE operations SET record = $3 WHERE scope = $1 AND key = $2`, op.Scope, op.Key, raw)
	return err
}

func (p *Postgres) ReleaseOperation(ctx context.Context, scope, key string) error {
	_, err := p.pool.Exec(ctx, `DELETE FROM operations WHERE scope = $1 AND key = $2`, scope, key)
	return err
}

func (p *Postgres) Operation(ctx context.Context, scope, key string) (Operation, error) {
	var op Operation
	var raw []byte
	if err := p.pool.QueryRow(ctx, `SELECT record FROM operations WHERE scope = $1 AND key = $2`, scope, key).Scan(&raw); err != nil {
		return op, notFoundIf(err)
	}
	return op, json.Unmarshal(raw, &op)
}

func (p *Postgres) Document(ctx context.Context, id string) (api.Document, error) {
	var d api.Document
	var raw []byte
	if err := p.pool.QueryRow(ctx, `SELECT record FROM documents WHERE id = $1`, id).Scan(&raw); err != nil {
		return d, notFoundIf(err)
	}
	return d, json.Unmarshal(raw, &d)
}

func (p *Postgres) History(ctx context.Context, id string) ([]api.Entry, error) {
	if _, err := p.Document(ctx, id); err != nil {
		return nil, err
	}
	rows, err := p.pool.Query(ctx, `SELECT record FROM entries WHERE document = $1 ORDER BY revision`, id)
	if err != nil {
		return nil, err
	}
	return collectJSON[api.Entry](rows)
}

// collectJSON decodes a query's single bytea column of JSON records.
func collectJSON[T any](rows pgx.Rows) ([]T, error) {
	var out []T
	var raw []byte
	_, err := pgx.ForEachRow(rows, []any{&raw}, func() error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

func (p *Postgres) Content(ctx context.Context, id string, version int) ([]byte, error) {
	var data []byte
	err := p.pool.QueryRow(ctx, `SELECT data FROM contents WHERE document = $1 AND version = $2`, id, version).Scan(&data)
	return data, notFoundIf(err)
}

func (p *Postgres) Documents(ctx context.Context, status api.DocumentStatus, limit int) ([]api.Document, error) {
	rows, err := p.pool.Query(ctx, `SELECT record FROM documents WHERE $1 = '' OR status = $1 ORDER BY id DESC LIMIT $2`, string(status), limit)
	if err != nil {
		return nil, err
	}
	return collectJSON[api.Document](rows)
}

func (p *Postgres) Commit(ctx context.Context, ch Change) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, eventLock); err != nil {
			return err
		}
		var stored int64
		err := tx.QueryRow(ctx, `SELECT revision FROM documents WHERE id = $1 FOR UPDATE`, ch.Document.Id).Scan(&stored)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if stored != ch.Document.Revision-1 {
			return ErrRevision
		}
		doc, _ := json.Marshal(ch.Document)
		if _, err := tx.Exec(ctx, `INSERT INTO documents (id, revision, status, record) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET revision = $2, status = $3, record = $4`,
			ch.Document.Id, ch.Document.Revision, string(ch.Document.Status), doc); err != nil {
			return err
		}
		entry, _ := json.Marshal(ch.Entry)
		if _, err := tx.Exec(ctx, `INSERT INTO entries (document, revision, record) VALUES ($1, $2, $3)`, ch.Document.Id, ch.Entry.Revision, entry); err != nil {
			return err
		}
		if ch.Content != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO contents (document, version, data) VALUES ($1, $2, $3)`, ch.Document.Id, ch.Document.ContentVersion, ch.Content); err != nil {
				return err
			}
		}
		var seq int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM events`).Scan(&seq); err != nil {
			return err
		}
		ev, _ := json.Marshal(api.Event{Type: api.EventTypeDocument, At: ch.Entry.At, Document: ch.Document, Entry: ch.Entry})
		if _, err := tx.Exec(ctx, `INSERT INTO events (seq, record) VALUES ($1, $2)`, seq, ev); err != nil {
			return err
		}
		for _, a := range ch.Audiences {
			if _, err := tx.Exec(ctx, `INSERT INTO feed (audience, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING`, a, seq); err != nil {
				return err
			}
		}
		return finishOpPG(ctx, tx, ch.Op)
	})
}

func (p *Postgres) Events(ctx context.Context, audiences []string, after uint64, limit int) ([]Event, error) {
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT e.seq, e.record FROM feed f JOIN events e ON e.seq = f.seq
		WHERE f.audience = ANY($1) AND f.seq > $2 ORDER BY e.seq LIMIT $3`, audiences, int64(after), limit)
	if err != nil {
		return nil, err
	}
	var out []Event
	var seq int64
	var raw []byte
	_, err = pgx.ForEachRow(rows, []any{&seq, &raw}, func() error {
		var e api.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("event %d: %w", seq, err)
		}
		out = append(out, Event{Seq: uint64(seq), Event: e})
		return nil
	})
	return out, err
}

func finishOpPG(ctx context.Context, tx pgx.Tx, op *Operation) error {
	if op == nil {
		return nil
	}
	done := *op
	done.Done = true
	raw, _ := json.Marshal(done)
	_, err := tx.Exec(ctx, `INSERT INTO operations (scope, key, record) VALUES ($1, $2, $3)
		ON CONFLICT (scope, key) DO UPDATE SET record = $3`, done.Scope, done.Key, raw)
	return err
}

func (p *Postgres) PutAgreement(ctx context.Context, a AgreementVersion, op *Operation) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM agreements WHERE id = $1`, a.ID).Scan(&current); err != nil {
			return err
		}
		if a.Version != current+1 {
			return ErrRevision
		}
		raw, _ := json.Marshal(a)
		if _, err := tx.Exec(ctx, `INSERT INTO agreements (id, version, record) VALUES ($1, $2, $3)`, a.ID, a.Version, raw); err != nil {
			return err
		}
		for lang, text := range a.Bodies {
			if _, err := tx.Exec(ctx, `INSERT INTO agreement_texts (id, version, language, text) VALUES ($1, $2, $3, $4)`, a.ID, a.Version, lang, text); err != nil {
				return err
			}
		}
		return finishOpPG(ctx, tx, op)
	})
}

func (p *Postgres) Agreements(ctx context.Context) ([]AgreementVersion, error) {
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT ON (id) record FROM agreements ORDER BY id, version DESC`)
	if err != nil {
		return nil, err
	}
	return collectJSON[AgreementVersion](rows)
}

func (p *Postgres) AgreementVersion(ctx context.Context, id string, version int) (AgreementVersion, error) {
	var a AgreementVersion
	var raw []byte
	if err := p.pool.QueryRow(ctx, `SELECT record FROM agreements WHERE id = $1 AND version = $2`, id, version).Scan(&raw); err != nil {
		return a, notFoundIf(err)
	}
	return a, json.Unmarshal(raw, &a)
}

func (p *Postgres) AgreementText(ctx context.Context, id string, version int, language string) ([]byte, error) {
	var text []byte
	err := p.pool.QueryRow(ctx, `SELECT text FROM agreement_texts WHERE id = $1 AND version = $2 AND language = $3`, id, version, language).Scan(&text)
	return text, notFoundIf(err)
}

func (p *Postgres) PutAcceptance(ctx context.Context, a Acceptance, op *Operation) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		raw, _ := json.Marshal(a)
		if _, err := tx.Exec(ctx, `INSERT INTO acceptances (scope, agreement, version, record) VALUES ($1, $2, $3, $4)
			ON CONFLICT (scope, agreement, version) DO UPDATE SET record = $4`, a.Scope, a.Agreement, a.Version, raw); err != nil {
			return err
		}
		return finishOpPG(ctx, tx, op)
	})
}

func (p *Postgres) Acceptances(ctx context.Context, scope string) (map[string]Acceptance, error) {
	rows, err := p.pool.Query(ctx, `SELECT DISTINCT ON (agreement) record FROM acceptances WHERE scope = $1 ORDER BY agreement, version DESC`, scope)
	if err != nil {
		return nil, err
	}
	list, err := collectJSON[Acceptance](rows)
	out := map[string]Acceptance{}
	for _, a := range list {
		out[a.Agreement] = a
	}
	return out, err
}

func (p *Postgres) PutCompromise(ctx context.Context, c Compromise, op *Operation) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		raw, _ := json.Marshal(c)
		if _, err := tx.Exec(ctx, `INSERT INTO compromised (fingerprint, record) VALUES ($1, $2)
			ON CONFLICT (fingerprint) DO UPDATE SET record = $2`, c.Fingerprint, raw); err != nil {
			return err
		}
		return finishOpPG(ctx, tx, op)
	})
}

func (p *Postgres) Compromises(ctx context.Context) ([]Compromise, error) {
	rows, err := p.pool.Query(ctx, `SELECT record FROM compromised`)
	if err != nil {
		return nil, err
	}
	out, err := collectJSON[Compromise](rows)
	sortCompromises(out)
	return out, err
}

func (p *Postgres) Compromise(ctx context.Context, fingerprint string) (Compromise, error) {
	var c Compromise
	var raw []byte
	if err := p.pool.QueryRow(ctx, `SELECT record FROM compromised WHERE fingerprint = $1`, fingerprint).Scan(&raw); err != nil {
		return c, notFoundIf(err)
	}
	return c, json.Unmarshal(raw, &c)
}
