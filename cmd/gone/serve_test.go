package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A taken port stops serve before it creates the database or prints a
// token; a --db in a missing directory names the directory.
func TestServeRefusesEarly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "gone.db")
	s := &cliServer{t: t}
	r := s.goneEnv(map[string]string{}, "", "serve", "--demo", "--addr", ln.Addr().String(), "--db", db)
	r.want(t, "port taken", exitFailed, "cannot listen on "+ln.Addr().String(), "address already in use")
	if strings.Contains(r.stdout, "token") {
		t.Errorf("serve printed a token before failing:\n%s", r.stdout)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("serve left %v behind after failing to listen", entries)
	}

	missing := filepath.Join(dir, "no", "such")
	r = s.goneEnv(map[string]string{}, "", "serve", "--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(missing, "gone.db"))
	r.want(t, "missing directory", exitFailed, "the directory "+missing+" of", "does not exist")
	if strings.Contains(r.stdout, "token") {
		t.Errorf("serve printed a token before failing:\n%s", r.stdout)
	}
	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		s.goneEnv(map[string]string{}, "", "serve", "--demo", "--addr", "127.0.0.1:0", "--db", filepath.Join(ro, "gone.db")).
			want(t, "read-only directory", exitFailed, "cannot write in the directory "+ro)
	}
}
