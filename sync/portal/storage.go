package portal

import (
	"context"
	"errors"
	"time"

	"github.com/qoltanba/qoltanba/sync/api"
)

// Storage is where the reference portal keeps its state. Two
// implementations share one test suite: Bolt (one file, the default) and
// Postgres (for operators who outgrow one machine). Every method that
// changes a document does it in one transaction together with its history
// entry, its events and the result of the write that caused it, so that a
// crash leaves either all of them or none.
type Storage interface {
	// Epoch names this database; it is part of every event cursor, so a
	// cursor from another database (a restore, a reset) is recognised.
	Epoch() string

	PutChallenge(ctx context.Context, c Challenge) error
	// TakeChallenge returns a challenge and deletes it: a nonce is used at
	// most once, whatever the outcome.
	TakeChallenge(ctx context.Context, id string) (Challenge, error)

	PutSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash [32]byte) (Session, error)
	DeleteSession(ctx context.Context, tokenHash [32]byte) error

	// BeginOperation registers a write under its Idempotency-Key. It
	// returns the record already there (completed, or in progress and
	// younger than staleAfter) without changing it; otherwise it stores a
	// fresh in-progress record and returns nil.
	BeginOperation(ctx context.Context, op Operation, staleAfter time.Duration) (*Operation, error)
	// FinishOperation stores a write's answer (a refusal; successes are
	// stored by Commit); ReleaseOperation forgets an in-progress record
	// (the write failed before anything happened and may be sent again).
	FinishOperation(ctx context.Context, op Operation) error
	ReleaseOperation(ctx context.Context, scope, key string) error
	Operation(ctx context.Context, scope, key string) (Operation, error)

	Document(ctx context.Context, id string) (api.Document, error)
	History(ctx context.Context, id string) ([]api.Entry, error)
	Content(ctx context.Context, id string, version int) ([]byte, error)
	// Documents lists documents newest first, filtered by status when set.
	Documents(ctx context.Context, status api.DocumentStatus, limit int) ([]api.Document, error)
	// Commit adds one history entry: see Change.
	Commit(ctx context.Context, c Change) error
	// Events lists the events of any of audiences after seq, oldest first.
	Events(ctx context.Context, audiences []string, after uint64, limit int) ([]Event, error)

	// PutAgreement stores a version of an agreement with its texts:
	// Version is the stored one plus one (1 creates it), else
	// ErrRevision. Op, when set, completes in the same transaction.
	PutAgreement(ctx context.Context, a AgreementVersion, op *Operation) error
	// Agreements lists every agreement at its current version.
	Agreements(ctx context.Context) ([]AgreementVersion, error)
	AgreementVersion(ctx context.Context, id string, version int) (AgreementVersion, error)
	AgreementText(ctx context.Context, id string, version int, language string) ([]byte, error)
	// PutAcceptance records an acceptance (and completes op) at once.
	PutAcceptance(ctx context.Context, a Acceptance, op *Operation) error
	// Acceptances are a scope's latest acceptance of each agreement.
	Acceptances(ctx context.Context, scope string) (map[string]Acceptance, error)

	// PutCompromise records a certificate reported compromised (and
	// completes op); Compromise finds one by the certificate's SHA-256
	// fingerprint (ErrNotFound: not reported).
	PutCompromise(ctx context.Context, c Compromise, op *Operation) error
	Compromise(ctx context.Context, fingerprint string) (Compromise, error)
	// Compromises are every certificate reported, oldest report first.
	Compromises(ctx context.Context) ([]Compromise, error)

	Close() error
}

// Compromise is a certificate its holder reported compromised.
type Compromise struct {
	Fingerprint string    `json:"fingerprint"`
	IIN         string    `json:"iin"`
	Since       time.Time `json:"since"`
	Reported    time.Time `json:"reported"`
	Reason      string    `json:"reason,omitempty"`
	// Resumption is the holder's request to lift the suspension and the
	// operator's decision (EDM agreement 8.8); resumed, the certificate
	// signs again.
	Resumption api.Resumption `json:"resumption,omitzero"`
}

// Suspended says whether the certificate's signatures are refused.
func (c Compromise) Suspended() bool { return c.Resumption.State != api.ResumptionStateResumed }

// Record is the compromise as the API shows it.
func (c Compromise) Record() api.CompromiseRecord {
	return api.CompromiseRecord{Fingerprint: c.Fingerprint, Iin: c.IIN, Since: c.Since, Reported: c.Reported,
		Reason: c.Reason, Resumption: c.Resumption}
}

// AgreementVersion is one published version of an agreement. Bodies
// (language → text) are given to PutAgreement only; the rest is what lists
// show.
type AgreementVersion struct {
	ID        string              `json:"id"`
	Version   int                 `json:"version"`
	Title     string              `json:"title"`
	Published time.Time           `json:"published"`
	Texts     []api.AgreementText `json:"texts"`
	Bodies    map[string][]byte   `json:"-"`
}

// Acceptance is a user's signed acceptance of a version.
type Acceptance struct {
	Agreement string    `json:"agreement"`
	Version   int       `json:"version"`
	Language  string    `json:"language"`
	Scope     string    `json:"scope"`
	IIN       string    `json:"iin"`
	BIN       string    `json:"bin,omitempty"`
	At        time.Time `json:"at"`
	XML       []byte    `json:"xml"`
	Receipt   []byte    `json:"receipt"`
}

// Challenge is a login nonce.
type Challenge struct {
	ID      string    `json:"id"`
	Data    []byte    `json:"data"`
	Expires time.Time `json:"expires"`
}

// Session is a logged-in user; the token itself is never stored, only its
// SHA-256.
type Session struct {
	TokenHash [32]byte  `json:"-"`
	User      api.User  `json:"user"`
	Expires   time.Time `json:"expires"`
	// Certificate is the SHA-256 fingerprint of the AUTH certificate that
	// opened it: a compromise reported for it ends the session (for good:
	// a resumption lets the certificate open new ones).
	Certificate string    `json:"certificate,omitempty"`
	Opened      time.Time `json:"opened,omitzero"`
}

// Operation is one write under its Idempotency-Key, within a scope (a
// user's IIN and BIN, or the operator).
type Operation struct {
	Scope    string    `json:"scope"`
	Key      string    `json:"key"`
	BodyHash [32]byte  `json:"bodyHash"`
	Started  time.Time `json:"started"`
	Done     bool      `json:"done"`
	Status   int       `json:"status,omitempty"`
	Body     []byte    `json:"body,omitempty"`
}

// Change is one step of a document's history. Document is its new state:
// Revision is the stored one plus one (1 creates it), else Commit fails
// with ErrRevision and nothing is written. Content, when set, is stored as
// Document.ContentVersion. Audiences receive an event carrying Document and
// Entry. Op, when set, completes that operation with its answer in the
// same transaction.
type Change struct {
	Document  api.Document
	Entry     api.Entry
	Content   []byte
	Audiences []string
	Op        *Operation
}

// Event is one feed item with its sequence number.
type Event struct {
	Seq   uint64
	Event api.Event
}

var (
	// ErrNotFound: no such challenge, session, operation, document or content.
	ErrNotFound = errors.New("not found")
	// ErrRevision: the document changed since it was read.
	ErrRevision = errors.New("the document changed meanwhile")
)
