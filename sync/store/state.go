package store

import (
	"fmt"
	"strings"
)

// State is where a document stands in its life:
//
//	draft ⇄ ready → signed → queued → sent → acknowledged
//	  └───────────↗   ↑ │      │       └──→ rejected
//	                  └─┘(co-sign)           (edit → new version, draft)
//	signed, queued, acknowledged → revoked (final)
//	draft, ready → rejected (a document received from a portal, refused)
//
// Editing (AddVersion) is the only way back to draft from signed or
// rejected, and it always makes a new version: a signed version is never
// touched. Signing (AddSignature) is the only way into signed, except for
// taking a queued document back out of the outbox.
type State string

const (
	StateDraft        State = "draft"
	StateReady        State = "ready"
	StateSigned       State = "signed"
	StateQueued       State = "queued"
	StateSent         State = "sent"
	StateAcknowledged State = "acknowledged"
	StateRejected     State = "rejected"
	StateRevoked      State = "revoked"
)

// States lists every state; position+1 is the index code (append only).
var States = []State{StateDraft, StateReady, StateSigned, StateQueued, StateSent, StateAcknowledged, StateRejected, StateRevoked}

// transitions is the table SetState follows. Signing and editing have their
// own rules (signable, editable) because they come with content.
var transitions = map[State][]State{
	StateDraft:        {StateReady, StateRejected},
	StateReady:        {StateDraft, StateRejected},
	StateSigned:       {StateQueued, StateRevoked},
	StateQueued:       {StateSent, StateSigned, StateRevoked},
	StateSent:         {StateAcknowledged, StateRejected},
	StateAcknowledged: {StateRevoked},
	StateRejected:     {},
	StateRevoked:      {},
}

// signable: states in which AddSignature may add a signature (to the
// current version); the document becomes signed.
var signable = map[State]bool{StateDraft: true, StateReady: true, StateSigned: true}

// editable: states in which AddVersion may add a version; the document
// becomes draft. Queued or sent documents are in flight: take them back
// first. Acknowledged and revoked ones are history.
var editable = map[State]bool{StateDraft: true, StateReady: true, StateSigned: true, StateRejected: true}

// ParseState accepts a state's name in any case.
func ParseState(s string) (State, error) {
	st := State(strings.ToLower(strings.TrimSpace(s)))
	if st.code() == stateCodeNone {
		return "", fmt.Errorf("unknown document state %q (states: %s)", s, joinStates(States))
	}
	return st, nil
}

func (s State) code() byte {
	for i, v := range States {
		if v == s {
			return byte(i + firstStateCode)
		}
	}
	return stateCodeNone
}

// CanBecome reports whether SetState allows from → to.
func CanBecome(from, to State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// checkTransition returns a *TransitionError unless SetState allows from → to.
// Leaving queued for signed is allowed only if the version is signed, which
// a queued document always is.
func checkTransition(id ID, from, to State) error {
	if to.code() == stateCodeNone {
		return fmt.Errorf("document %s: unknown state %q", id, to)
	}
	if CanBecome(from, to) {
		return nil
	}
	e := &TransitionError{ID: id, From: from, To: to, Allowed: transitions[from]}
	switch {
	case to == StateSigned:
		e.Why = "a document becomes signed by adding a signature"
	case to == StateDraft:
		e.Why = "editing makes a new draft version"
	}
	return e
}

func joinStates(ss []State) string {
	s := make([]string, len(ss))
	for i, v := range ss {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
