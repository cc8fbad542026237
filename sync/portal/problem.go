package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/qoltanba/qoltanba/sync/api"
)

// problem is a refusal with its HTTP status and the stable code clients act on.
type problem struct {
	status     int
	code       api.ErrorCode
	msg        string
	retryAfter int // seconds; 0: no Retry-After
}

func (p *problem) Error() string { return p.msg }

func refuse(status int, code api.ErrorCode, format string, args ...any) *problem {
	return &problem{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *problem {
	return refuse(http.StatusBadRequest, api.ErrorCodeBadRequest, format, args...)
}

func forbidden(format string, args ...any) *problem {
	return refuse(http.StatusForbidden, api.ErrorCodeForbidden, format, args...)
}

// notFound is the answer for anything the user may not see, too: another
// user's document does not exist for them.
func notFound(what string) *problem {
	return refuse(http.StatusNotFound, api.ErrorCodeNotFound, "%s not found", what)
}

func retryLater(status int, code api.ErrorCode, seconds int, format string, args ...any) *problem {
	p := refuse(status, code, format, args...)
	p.retryAfter = seconds
	return p
}

// problemBody is the JSON an error answer carries.
func problemBody(p *problem) []byte {
	raw, _ := json.Marshal(api.Error{Code: p.code, Message: p.msg})
	return append(raw, '\n')
}

func writeProblem(w http.ResponseWriter, p *problem) {
	w.Header().Set("Content-Type", "application/json")
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	w.WriteHeader(p.status)
	_, _ = w.Write(problemBody(p))
}

// asProblem turns any error a handler returns into the answer: a problem
// as it is, anything else a 500 that says nothing of the internals.
func asProblem(err error) *problem {
	var p *problem
	if errors.As(err, &p) {
		return p
	}
	return refuse(http.StatusInternalServerError, api.ErrorCodeInternal, "internal error")
}
