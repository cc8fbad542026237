package instance

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSecondStart: a second start reaches the running window with its
// request; a wrong token is not heard; with no window, Notify says so;
// the address file is the user's alone and goes when the window closes.
func TestSecondStart(t *testing.T) {
	dir := t.TempDir()
	if ok, err := Notify(dir, Request{}); ok || err != nil {
		t.Fatalf("no window yet: %v %v", ok, err)
	}
	got := make(chan Request, 2)
	s, err := Serve(dir, func(r Request) { got <- r })
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, File))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("address file %v, %v", info, err)
	}
	ok, err := Notify(dir, Request{Open: "/home/a/head.p12"})
	if !ok || err != nil {
		t.Fatalf("notify: %v %v", ok, err)
	}
	if r := <-got; r.Open != "/home/a/head.p12" {
		t.Errorf("request %+v", r)
	}

	// Someone who cannot read the file guesses a token.
	var a address
	data, _ := os.ReadFile(filepath.Join(dir, File))
	json.Unmarshal(data, &a)
	conn, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	json.NewEncoder(conn).Encode(message{Token: "00", Req: Request{Open: "/etc/passwd"}})
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 8)
	n, _ := conn.Read(buf)
	conn.Close()
	if n != 0 {
		t.Errorf("a wrong token was answered %q", buf[:n])
	}
	select {
	case r := <-got:
		t.Errorf("a wrong token was heard: %+v", r)
	case <-time.After(200 * time.Millisecond):
	}

	s.Close()
	if _, err := os.Stat(filepath.Join(dir, File)); !os.IsNotExist(err) {
		t.Errorf("the address file stays: %v", err)
	}
	if ok, _ := Notify(dir, Request{}); ok {
		t.Error("notified a window that closed")
	}
}
