// Package instance keeps one window per data folder: a second start of the
// program (a double click while the window is in the tray, a file opened
// from the file manager) hands its request to the running window, which
// comes to the front, instead of failing on the locked database.
//
// The running window listens on a loopback port and writes the port and a
// random token to a file in the data folder, readable by the user alone;
// a second start reads them, connects, and sends the token with its
// request. A process that cannot read the file cannot be heard.
package instance

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/qoltanba/qoltanba/internal/atomicfile"
)

// File is the running window's address, in the data folder.
const File = "instance.json"

// Request is what a second start asks of the running window.
type Request struct {
	// Open is a file to open (absolute) on Screen, or "" to come to the
	// front.
	Open   string `json:"open,omitempty"`
	Screen string `json:"screen,omitempty"`
}

type message struct {
	Token string  `json:"token"`
	Req   Request `json:"request"`
}

type address struct {
	Port  int    `json:"port"`
	Token string `json:"token"`
}

// timeout bounds a second start's conversation with the first.
const timeout = 3 * time.Second

// Notify hands req to the window running on dir. It returns false, with
// no error, when none runs there (no file, or nobody answers).
func Notify(dir string, req Request) (bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		return false, nil
	}
	var a address
	if json.Unmarshal(data, &a) != nil || a.Port <= 0 {
		return false, nil
	}
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", a.Port), timeout)
	if err != nil {
		return false, nil // a file left by a window that ended
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if err := json.NewEncoder(conn).Encode(message{Token: a.Token, Req: req}); err != nil {
		return false, fmt.Errorf("reach the running Qoltanba: %w", err)
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || reply != "ok\n" {
		return false, fmt.Errorf("the running Qoltanba did not answer: %q %v", reply, err)
	}
	return true, nil
}

// Server answers second starts for the running window.
type Server struct {
	ln   net.Listener
	path string
}

// Serve listens for second starts on dir and calls handle (from its own
// goroutine) with each request whose token is right.
func Serve(dir string, handle func(Request)) (*Server, error) {
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for a second start: %w", err)
	}
	a := address{Port: ln.Addr().(*net.TCPAddr).Port, Token: hex.EncodeToString(token)}
	data, _ := json.Marshal(a)
	s := &Server{ln: ln, path: filepath.Join(dir, File)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		ln.Close()
		return nil, err
	}
	if err := atomicfile.Write(s.path, data, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("write %s: %w", s.path, err)
	}
	go s.accept(a.Token, handle)
	return s, nil
}

func (s *Server) accept(token string, handle func(Request)) {
	for {
		conn, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(timeout))
			var m message
			if err := json.NewDecoder(bufio.NewReader(&limited{conn, 64 << 10})).Decode(&m); err != nil {
				return
			}
			if subtle.ConstantTimeCompare([]byte(m.Token), []byte(token)) != 1 {
				return
			}
			handle(m.Req)
			conn.Write([]byte("ok\n"))
		}()
	}
}

// Close stops answering and removes the address file.
func (s *Server) Close() error {
	err := s.ln.Close()
	os.Remove(s.path)
	return err
}

// limited reads at most n bytes: a request is small.
type limited struct {
	c net.Conn
	n int
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("request too large")
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.c.Read(p)
	l.n -= n
	return n, err
}
