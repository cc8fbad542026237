package bridge

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/qoltanba/qoltanba/internal/core"
	"github.com/qoltanba/qoltanba/signer"
)

// handle answers one message. Every message gets exactly one reply, in
// the shape its module expects, whatever goes wrong: the public clients
// match replies to requests by order and hang otherwise.
func (b *Bridge) handle(ctx context.Context, s *session, msg []byte) []byte {
	r, err := parseRequest(msg)
	if err != nil {
		b.log.Info("bridge: malformed request", "origin", s.origin, "err", err)
		return encodeReply(commonError(msgArgumentMismatch), nil)
	}
	var reply any
	switch r.Module {
	case ModuleCommonUtils:
		reply = b.commonUtils(ctx, s, r)
	case ModuleBasics:
		if r.Method != "sign" {
			reply = basicsError(codeInvocation, fmt.Sprintf("no method %q in %s", r.Method, ModuleBasics))
			break
		}
		reply = b.basicsSign(ctx, s, r.Args)
	case ModuleAccessory:
		// Service calls of NCALayer's bundle manager: nothing to manage
		// here, and nothing a page could learn.
		reply = commonOK([]string{})
	default:
		reply = moduleReply{Success: false, ErrorCode: codeModule}
	}
	if failed(reply) {
		b.log.Info("bridge: request not done", "origin", s.origin, "module", r.Module, "method", r.Method, "reply", string(encodeReply(reply, nil)))
	}
	return encodeReply(reply, r.UUID)
}

// failed reports whether a reply says something went wrong (for the log).
func failed(reply any) bool {
	switch r := reply.(type) {
	case commonReply:
		return r.Code != "200"
	case basicsReply:
		return !r.Status || r.Body == nil || r.Body.Result == nil
	}
	return false
}

// canceled: the user declined, the page's socket closed, or the request
// was refused before the user saw it; the page gets the cancel answer.
func canceled(err error) bool {
	return errors.Is(err, signer.ErrCancelled) || errors.Is(err, errRefused) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Argument errors, answered as Java's reflection answers them.
var (
	errArgType  = errors.New(msgArgumentMismatch)
	errArgCount = errors.New(msgWrongArgCount)
)

// positional reads commonUtils' args: exactly n values.
func positional(raw json.RawMessage, n int) ([]json.RawMessage, error) {
	var args []json.RawMessage
	if len(raw) == 0 || string(raw) == "null" {
		args = nil
	} else if err := json.Unmarshal(raw, &args); err != nil {
		return nil, errArgType
	}
	if len(args) != n {
		return nil, errArgCount
	}
	return args, nil
}

// str reads a String argument; null is Java's null, read as "".
func str(raw json.RawMessage) (string, error) {
	if string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errArgType
	}
	return s, nil
}

// boolean reads a boolean argument; null does not fit a Java boolean.
func boolean(raw json.RawMessage) (bool, error) {
	var v bool
	if string(raw) == "null" || json.Unmarshal(raw, &v) != nil {
		return false, errArgType
	}
	return v, nil
}

// strs reads a String[] argument.
func strs(raw json.RawMessage) ([]string, error) {
	var v []string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errArgType
	}
	return v, nil
}

// sign is the signing operation every method comes to: under the gate, the
// origin's permission, the key chosen, then the core's one Sign (consent,
// secret, policy, timestamp), then the record of what the website got.
func (b *Bridge) sign(ctx context.Context, s *session, job keyJob, req core.SignRequest) (*core.SignResult, error) {
	if b.core.Store == nil {
		// What is signed for a website is always recorded.
		return nil, fmt.Errorf("nothing is signed for websites while %w", core.ErrNoStore)
	}
	var res *core.SignResult
	job.trusted = (&trustCheck{core: b.core}).trusted // one per request: listing and the check after the key opens
	err := b.attend(ctx, func() error {
		if err := b.permit(ctx, s, job.action); err != nil {
			return err
		}
		ref, err := b.chooseKey(ctx, s, job)
		if err != nil {
			return err
		}
		req.Origin, req.KeyURI, req.Use = s.origin, ref.URI, job.use
		req.Accept = func(cert *x509.Certificate) error { return b.fits(ctx, cert, job) }
		res, err = b.core.Sign(ctx, req, b.prompts)
		return err
	})
	if err != nil {
		return nil, err
	}
	b.record(req, res)
	return res, nil
}

// record keeps what was signed for a website in the store and the journal
// (core.RecordWebSigning) on the bridge's recorder, so that the page's
// reply does not wait for the verification and the revocation check the
// store does; entries keep the order of the signatures.
func (b *Bridge) record(req core.SignRequest, res *core.SignResult) {
	b.recording.Add(1)
	b.recordOnce.Do(func() {
		b.records = make(chan func(), 64)
		go func() {
			for f := range b.records {
				f()
			}
		}()
	})
	b.records <- func() {
		defer b.recording.Done()
		if _, err := b.core.RecordWebSigning(context.Background(), req, res); err != nil {
			b.log.Warn("bridge: signed, but not recorded", "origin", req.Origin, "err", err)
		}
	}
}

// Recorded waits until every signature made so far is recorded.
func (b *Bridge) Recorded() { b.recording.Wait() }

// timestampFor is the TSA a website's request gets: the user's service
// when the site asks for a timestamp. A site that asks for one needs it,
// so its failure fails the request rather than giving the site a
// signature it will refuse later.
func (b *Bridge) timestampFor(asked bool) (tsa string, err error) {
	if !asked {
		return "", nil
	}
	st := b.core.Settings()
	switch {
	case st.Offline:
		return "", errors.New("the website asks for a timestamp and Qoltanba works offline: turn off offline work in Settings")
	case st.TSA == "":
		return "", errors.New("the website asks for a timestamp and no time-stamp service is set in Settings")
	}
	return st.TSA, nil
}
