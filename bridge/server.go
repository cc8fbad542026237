package bridge

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"github.com/qoltanba/qoltanba/internal/units"
)

// Address is where NCALayer listens and portals connect.
const Address = "127.0.0.1:13579"

// MaxMessage is the largest request read (NCALayer's clients send scans
// and big XML as tens of megabytes of base64); a larger one gets an error
// reply and the socket stays open.
const MaxMessage = 80 << 20

// PortInUseError: another program (NCALayer itself, most often) listens
// on the bridge's port.
type PortInUseError struct {
	Addr string
	// Holder names the program that holds the port where the system
	// tells (Linux: /proc), or "".
	Holder string
}

func (e *PortInUseError) Error() string {
	holder := "another program"
	if e.Holder != "" {
		holder = e.Holder
	}
	return fmt.Sprintf("%s is in use by %s: websites cannot reach Qoltanba while it runs", e.Addr, holder)
}

// Hint says what the user can do.
func (e *PortInUseError) Hint() string {
	return "close NCALayer (or the program named) and start Qoltanba's bridge again; both cannot answer websites at once"
}

// Listen opens the bridge's port on loopback only.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("bridge address %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("bridge address %s: only a loopback address is allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, &PortInUseError{Addr: addr, Holder: portHolder(addr)}
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Stats are the server's counters, for the window and the tests.
type Stats struct {
	Connections atomic.Int64 // open sockets
	// Untrusted counts TLS handshakes a client refused (a browser that
	// does not trust the bridge's certificate yet).
	Untrusted atomic.Int64
}

// Serve answers websites on ln with cert until ctx ends.
func (b *Bridge) Serve(ctx context.Context, ln net.Listener, cert tls.Certificate) error {
	_, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           b.Handler(ctx, port),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(handshakeLog{b}, "", 0),
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	err = srv.ServeTLS(ln, "", "")
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// handshakeLog counts the handshakes browsers refused and keeps the rest
// of net/http's messages in the bridge's log.
type handshakeLog struct{ b *Bridge }

func (h handshakeLog) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	if strings.Contains(line, "TLS handshake error") && (strings.Contains(line, "unknown certificate") || strings.Contains(line, "bad certificate")) {
		h.b.Stats.Untrusted.Add(1)
	}
	h.b.log.Debug("bridge: http", "msg", line)
	return len(p), nil
}

// Handler checks Host and Origin and serves the protocol on the socket.
// Sockets live until ctx ends or the page closes them.
func (b *Bridge) Handler(ctx context.Context, port string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// DNS rebinding: a page of evil.example resolving to 127.0.0.1
		// sends its own name as Host.
		if r.Host != "127.0.0.1:"+port && r.Host != "localhost:"+port {
			b.log.Info("bridge: refused a foreign Host", "host", r.Host, "origin", r.Header.Get("Origin"))
			http.Error(w, "Host not allowed", http.StatusForbidden)
			return
		}
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			// A person who opens the address in a browser (NCALayer's users
			// are told to, to accept its certificate) learns what it is.
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "Qoltanba answers websites here on the NCALayer protocol (wss).")
			return
		}
		origin := r.Header.Get("Origin")
		if origin == "" || origin == "null" {
			b.log.Info("bridge: refused a socket without an origin", "remote", r.RemoteAddr)
			http.Error(w, "Origin required", http.StatusForbidden)
			return
		}
		// The origin check is ours (the user's permission per origin), so
		// the library's same-origin check is off.
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			b.log.Info("bridge: websocket handshake failed", "origin", origin, "err", err)
			return
		}
		b.serveConn(ctx, c, origin)
	})
}

// incoming is one message read from a page.
type incoming struct {
	msg      []byte
	tooLarge int64 // the size read before giving up, when too large
}

// serveConn greets the page, echoes heartbeats at once, and answers
// requests one by one in order. When the page closes the socket, ctx ends
// and any dialog of its request closes with nothing signed.
func (b *Bridge) serveConn(ctx context.Context, c *websocket.Conn, origin string) {
	b.Stats.Connections.Add(1)
	defer b.Stats.Connections.Add(-1)
	defer c.CloseNow()
	c.SetReadLimit(-1) // readMessage bounds it, answering instead of closing
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &session{origin: origin, locale: "kk"}
	if err := c.Write(ctx, websocket.MessageText, greeting()); err != nil {
		return
	}
	queue := make(chan incoming, 8)
	go func() {
		defer close(queue)
		defer cancel()
		for {
			in, err := b.readMessage(ctx, c)
			if err != nil {
				return
			}
			if string(in.msg) == Heartbeat {
				if c.Write(ctx, websocket.MessageText, in.msg) != nil {
					return
				}
				continue
			}
			select {
			case queue <- in:
			case <-ctx.Done():
				return
			}
		}
	}()
	for in := range queue {
		var reply []byte
		if in.tooLarge > 0 {
			reply = tooLargeReply(in.msg, b.maxMessage())
			b.log.Info("bridge: message too large", "origin", origin, "bytes", in.tooLarge)
		} else {
			reply = b.handle(ctx, s, in.msg)
		}
		if err := c.Write(ctx, websocket.MessageText, reply); err != nil {
			return
		}
	}
}

// readMessage reads one message of at most MaxMessage bytes; a larger one
// is drained and reported (its first bytes kept to pick the reply's shape).
func (b *Bridge) readMessage(ctx context.Context, c *websocket.Conn) (incoming, error) {
	_, r, err := c.Reader(ctx)
	if err != nil {
		return incoming{}, err
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, b.maxMessage()+1))
	if err != nil {
		return incoming{}, err
	}
	if n <= b.maxMessage() {
		return incoming{msg: buf.Bytes()}, nil
	}
	rest, err := io.Copy(io.Discard, r)
	if err != nil {
		return incoming{}, err
	}
	head := buf.Bytes()[:min(buf.Len(), 512)]
	return incoming{msg: bytes.Clone(head), tooLarge: n + rest}, nil
}

func (b *Bridge) maxMessage() int64 {
	if b.MaxMessage > 0 {
		return b.MaxMessage
	}
	return MaxMessage
}

// tooLargeReply answers an oversized message in its module's shape.
func tooLargeReply(head []byte, limit int64) []byte {
	details := fmt.Sprintf("the message is larger than %s, the most Qoltanba reads", units.Size(limit))
	if bytes.Contains(head, []byte(ModuleBasics)) {
		return encodeReply(basicsError(codeSigningParams, details), nil)
	}
	return encodeReply(commonError(details), nil)
}
