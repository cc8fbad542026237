package portal

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/qoltanba/qoltanba/sync/api"
)

// staleAfter: an in-progress record older than this belongs to a request
// that died with its server; the key may run again.
const staleAfter = 5 * time.Minute

// once runs a write at most once per (scope, Idempotency-Key): a repeat
// with the same body gets the first answer, with another body 422, and
// while the first still runs 409 with Retry-After. A success is recorded
// by the handler's Commit in the same transaction as its effect (see
// commitOp); a refusal is recorded here; a server failure forgets the key
// so that the client may send the request again.
func (s *Server) once(w http.ResponseWriter, r *http.Request, key string, bodyHash [32]byte, next http.Handler) {
	ctx := r.Context()
	scope := scopeOf(ctx)
	op := Operation{Scope: scope, Key: key, BodyHash: bodyHash, Started: s.now()}
	old, err := s.cfg.Storage.BeginOperation(ctx, op, staleAfter)
	switch {
	case err != nil:
		s.cfg.Log.Error("begin operation", "err", err)
		writeProblem(w, retryLater(http.StatusServiceUnavailable, api.ErrorCodeUnavailable, 5, "the portal's storage is unavailable"))
		return
	case old != nil && old.BodyHash != bodyHash:
		writeProblem(w, refuse(http.StatusUnprocessableEntity, api.ErrorCodeKeyReused,
			"the Idempotency-Key %q was used for another request", key))
		return
	case old != nil && !old.Done:
		writeProblem(w, retryLater(http.StatusConflict, api.ErrorCodeInProgress, 2,
			"a request with this Idempotency-Key is still running"))
		return
	case old != nil:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(old.Status)
		_, _ = w.Write(old.Body)
		return
	}
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	ctx = context.WithValue(ctx, ctxOperation, &op)
	next.ServeHTTP(rec, r.WithContext(ctx))
	switch {
	case rec.status < 300:
		// recorded by Commit with the effect
	case rec.status >= 500 || rec.status == http.StatusConflict && rec.retry || rec.status == http.StatusServiceUnavailable:
		if err := s.cfg.Storage.ReleaseOperation(context.WithoutCancel(ctx), scope, key); err != nil {
			s.cfg.Log.Error("release operation", "err", err)
		}
	default:
		op.Status, op.Body = rec.status, rec.body.Bytes()
		if err := s.cfg.Storage.FinishOperation(context.WithoutCancel(ctx), op); err != nil {
			s.cfg.Log.Error("finish operation", "err", err)
		}
	}
}

const ctxOperation ctxKey = 100

// commitOp is the operation a write completes in its Commit, with the
// answer it is about to send (status and body exactly as written).
func commitOp(ctx context.Context, status int, body []byte) *Operation {
	op, _ := ctx.Value(ctxOperation).(*Operation)
	if op == nil {
		return nil
	}
	done := *op
	done.Done, done.Status, done.Body = true, status, body
	return &done
}

// recorder keeps what a handler wrote, for the operation record.
type recorder struct {
	http.ResponseWriter
	status int
	retry  bool
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.retry = r.Header().Get("Retry-After") != ""
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// GetOperation settles a write whose answer was lost.
func (s *Server) GetOperation(ctx context.Context, req api.GetOperationRequestObject) (api.GetOperationResponseObject, error) {
	op, err := s.cfg.Storage.Operation(ctx, scopeOf(ctx), req.Key)
	if err != nil {
		return nil, notFound("operation " + strconv.Quote(req.Key))
	}
	out := api.Operation{Key: req.Key, State: api.OperationStateInProgress}
	if op.Done {
		out.State, out.Status = api.OperationStateCompleted, op.Status
		out.Result = jsonRaw(op.Body)
	}
	return api.GetOperation200JSONResponse(out), nil
}
