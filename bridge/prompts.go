package bridge

import (
	"context"

	"github.com/qoltanba/qoltanba/signer"
)

// Prompts is what a face (the window, the terminal, a scripted test) shows
// the user for the bridge: the core's typed consent and secret prompts,
// plus the two questions only websites raise. One Prompts serves every
// connection; the server calls it from one request at a time.
type Prompts interface {
	signer.UI
	// Allow asks whether a website may use the user's EDS. Origin is
	// exactly what the browser sent, never a name the page claims.
	Allow(ctx context.Context, req AllowRequest) (Permission, error)
	// ChooseKey lets the user pick the key for a website's request among
	// Keys (already filtered), or another key file they browse to (its
	// KeyRef with the path as URI). signer.ErrCancelled declines.
	ChooseKey(ctx context.Context, req KeyRequest) (signer.KeyRef, error)
	// ChooseFile answers showFileChooser: a file the user picks for the
	// website to name in createCMSSignatureFromFile.
	ChooseFile(ctx context.Context, req FileRequest) (string, error)
}

// Permission is the user's answer to a website's first request.
type Permission int

const (
	// Deny refuses the website until the bridge restarts.
	Deny Permission = iota
	// AllowOnce allows this request only.
	AllowOnce
	// AllowAlways allows the website from now on (kept in Settings).
	AllowAlways
)

// AllowRequest is a website's first request.
type AllowRequest struct {
	Origin string
	// Action says what the website asks first (ActionSign, ActionKeyInfo…).
	Action Action
	Locale string
}

// Action is what a website asks the user's key for.
type Action string

const (
	ActionSign     Action = "sign"     // sign documents or data
	ActionSignHash Action = "signHash" // sign a value the user cannot see
	ActionKeyInfo  Action = "keyInfo"  // read the certificate (who the user is)
	ActionFile     Action = "file"     // choose a file to sign
	ActionTime     Action = "timestamp"
)

// KeyRequest asks the user to choose a key for a website.
type KeyRequest struct {
	Origin string
	Action Action
	// Keys are the keys that may be chosen (storages and the site's
	// conditions applied where the certificate is known).
	Keys []signer.KeyRef
	// Files: key files may be browsed to (the site allows PKCS12).
	Files bool
	// Requires is what the site requires of the signer, for the dialog
	// to say.
	Requires Requirements
	// Logo is the image the website sent to be shown beside its origin
	// (validated PNG, JPEG or GIF), or nil.
	Logo   []byte
	Locale string
}

// FileRequest is a website's showFileChooser.
type FileRequest struct {
	Origin    string
	Extension string
	Directory string
	Locale    string
}

// Requirements are a website's conditions on the signer (basics'
// signerParams), as the key dialog shows them.
type Requirements struct {
	// EKUs are extended key usage and role OIDs, all required (EKUName
	// names them in English; faces translate).
	EKUs   []string
	IIN    string
	BIN    string
	Serial string
}

// Empty reports whether the site requires nothing in particular.
func (r Requirements) Empty() bool {
	return len(r.EKUs) == 0 && r.IIN == "" && r.BIN == "" && r.Serial == ""
}
