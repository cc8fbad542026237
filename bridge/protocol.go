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
// error the caller answers in commonUtils' shape.
func parseRequest(msg []byte) (request, error) {
	var r request
	if err := json.Unmarshal(msg, &r); err != nil {
		return r, fmt.Errorf("%w: %w", errMalformed, err)
	}
	return r, nil
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
