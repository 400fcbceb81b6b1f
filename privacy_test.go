package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoNetworkCode keeps the binary unable to send evidence anywhere: no
// package that opens sockets (net, net/http, crypto/tls, ...) may be
// linked. net/netip, which only parses addresses for cidrmatch, is fine.
func TestNoNetworkCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "net" || strings.HasPrefix(pkg, "net/") && pkg != "net/netip" || pkg == "crypto/tls" {
			t.Errorf("loghunt links %s, which can open network connections", pkg)
		}
	}
}

// TestFilesArePrivate checks that the database is created readable by its
// owner only, whatever the umask.
func TestFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "a.log")
	os.WriteFile(logPath, []byte("2025-03-06 08:00:00 hello\n"), 0o644)
	db := filepath.Join(dir, "p.db")
	if err := cli(t.Context(), []string{"--db", db, "ingest", logPath}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(db)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("database mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}
