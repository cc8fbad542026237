// Package bridge answers web portals on the NCALayer protocol: a WebSocket
// server on wss://127.0.0.1:13579 that portals written for NCALayer cannot
// tell apart from it (../shared/docs/ncalayer-protocol.md), built on the
// application core so that every signature it makes goes through the same
// policy, consent and journal as the window's.
//
// Beyond NCALayer it checks Host and Origin, asks the user once per origin,
// shows what is signed before any PIN, keeps one dialog at a time, and
// records every signature made for a website.
package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Version is what the greeting announces: NCALayer 1.4's protocol.
const Version = "1.4"

// Heartbeat is the text clients send to keep the socket; it is echoed.
const Heartbeat = "--heartbeat--"

// Module names of the protocol.
const (
	ModuleCommonUtils = "kz.gov.pki.knca.commonUtils"
	ModuleBasics      = "kz.gov.pki.knca.basics"
	ModuleAccessory   = "kz.gov.pki.ncalayerservices.accessory"
)

// request is one message from a page. Args stays raw: commonUtils takes a
// positional array, basics an object.
type request struct {
	Module string          `json:"module"`
	Method string          `json:"method"`
	Args   json.RawMessage `json:"args"`
	UUID   json.RawMessage `json:"uuid,omitempty"`
}

// parseRequest reads a message; a message that is not a JSON object is an
// error the caller answers in commonUtils' shape. Messages of tens of
// megabytes are nearly all args: scanEnvelope reads the few fields around
// them and hands args on as a sub-slice, decoded once by the method; what
// it does not understand goes to encoding/json.
func parseRequest(msg []byte) (request, error) {
	if r, ok := scanEnvelope(msg); ok {
		return r, nil
	}
	var r request
	if err := json.Unmarshal(msg, &r); err != nil {
		return r, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return r, nil
}

// scanEnvelope reads {"module":…,"method":…,"args":…,"uuid":…} without
// decoding args; ok is false for anything unusual (escaped keys, a value
// it cannot skip, trailing bytes), which encoding/json then judges.
func scanEnvelope(msg []byte) (r request, ok bool) {
	i := skipSpace(msg, 0)
	if i >= len(msg) || msg[i] != '{' {
		return r, false
	}
	i = skipSpace(msg, i+1)
	if i < len(msg) && msg[i] == '}' {
		return r, skipSpace(msg, i+1) == len(msg)
	}
	for i < len(msg) {
		if msg[i] != '"' {
			return r, false
		}
		end := bytes.IndexByte(msg[i+1:], '"')
		if end < 0 {
			return r, false
		}
		key := msg[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return r, false
		}
		i = skipSpace(msg, i+2+end)
		if i >= len(msg) || msg[i] != ':' {
			return r, false
		}
		start := skipSpace(msg, i+1)
		stop, valid := skipValue(msg, start)
		if !valid {
			return r, false
		}
		value := msg[start:stop]
		// encoding/json matches keys as bytes.EqualFold does; so does this.
		switch {
		case bytes.EqualFold(key, []byte("module")):
			if json.Unmarshal(value, &r.Module) != nil {
				return r, false
			}
		case bytes.EqualFold(key, []byte("method")):
			if json.Unmarshal(value, &r.Method) != nil {
				return r, false
			}
		case bytes.EqualFold(key, []byte("args")):
			r.Args = value
		case bytes.EqualFold(key, []byte("uuid")):
			if !json.Valid(value) {
				return r, false
			}
			r.UUID = value
		}
		i = skipSpace(msg, stop)
		if i >= len(msg) {
			return r, false
		}
		switch msg[i] {
		case ',':
			i = skipSpace(msg, i+1)
		case '}':
			return r, skipSpace(msg, i+1) == len(msg)
		default:
			return r, false
		}
	}
	return r, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue finds the end of the JSON value at b[i:]: strings (jumping
// to the next quote or backslash), nested objects and arrays, literals.
// It checks structure, not content: the value's own decoding does.
func skipValue(b []byte, i int) (end int, ok bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for {
				j := bytes.IndexAny(b[i:], "\"\\")
				if j < 0 {
					return 0, false
				}
				i += j
				if b[i] == '"' {
					i++
					break
				}
				i += 2 // a backslash and the character it escapes
				if i > len(b) {
					return 0, false
				}
			}
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		default:
			if depth == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				return i, true
			}
			i++
		}
		if depth == 0 && i > 0 && (b[i-1] == '"' || b[i-1] == '}' || b[i-1] == ']') {
			return i, true
		}
	}
	return i, depth == 0 && i > 0
}

// errMalformed: the message is not a request at all.
var errMalformed = errors.New("malformed request")

// Messages of NCALayer's replies that clients and portals match on.
const (
	msgCanceled         = "action.canceled"
	msgArgumentMismatch = "java.lang.IllegalArgumentException: argument type mismatch"
	msgWrongArgCount    = "java.lang.IllegalArgumentException: wrong number of arguments"
)

// Codes of basics' error replies.
const (
	codeInvocation    = "INVOCATION_ERROR"
	codeGeneral       = "GENERAL_ERROR"
	codeSigningParams = "INVALID_SIGNING_PARAMS"
	codeSigning       = "SIGNING_FAILURE"
	codeModule        = "MODULE_NOT_FOUND"
)

// commonReply is commonUtils' reply shape.
type commonReply struct {
	Code           string          `json:"code"`
	Message        string          `json:"message,omitempty"`
	ResponseObject any             `json:"responseObject,omitempty"`
	UUID           json.RawMessage `json:"uuid,omitempty"`
}

// basicsReply is basics' reply shape: Body is {} when the user cancelled.
type basicsReply struct {
	Status  bool            `json:"status"`
	Body    *basicsBody     `json:"body,omitempty"`
	Code    string          `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Details string          `json:"details,omitempty"`
	UUID    json.RawMessage `json:"uuid,omitempty"`
}

type basicsBody struct {
	Result any `json:"result,omitempty"`
}

// moduleReply answers a module this program does not provide.
type moduleReply struct {
	Success   bool            `json:"success"`
	ErrorCode string          `json:"errorCode"`
	UUID      json.RawMessage `json:"uuid,omitempty"`
}

func commonOK(v any) commonReply { return commonReply{Code: "200", ResponseObject: v} }

func commonError(message string) commonReply { return commonReply{Code: "500", Message: message} }

func basicsOK(v any) basicsReply { return basicsReply{Status: true, Body: &basicsBody{Result: v}} }

func basicsCanceled() basicsReply { return basicsReply{Status: true, Body: &basicsBody{}} }

func basicsError(code, details string) basicsReply {
	message := "An invoked method threw an exception."
	switch code {
	case codeSigningParams:
		message = "Invalid signing parameters."
	case codeSigning:
		message = "Signing failed."
	case codeGeneral:
		message = "General error."
	}
	return basicsReply{Status: false, Code: code, Message: message, Details: details}
}

// greeting is the first message on every socket.
func greeting() []byte {
	return []byte(`{"result":{"version":"` + Version + `"}}`)
}

// encodeReply puts the request's uuid in the reply and encodes it.
func encodeReply(reply any, uuid json.RawMessage) []byte {
	switch r := reply.(type) {
	case commonReply:
		r.UUID = uuid
		reply = r
	case basicsReply:
		r.UUID = uuid
		reply = r
	case moduleReply:
		r.UUID = uuid
		reply = r
	}
	// XML goes back as written (no \u003c for <), as NCALayer sends it.
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(reply); err != nil {
		// Replies are built from strings and slices of strings: this
		// cannot happen, but the page must still get an answer.
		return []byte(`{"code":"500","message":"internal error"}`)
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}
