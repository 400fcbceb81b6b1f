package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// isNetwork says whether a standard package can open connections (net,
// net/http, crypto/tls, ...); net/netip and net/url only parse.
func isNetwork(pkg string) bool {
	return pkg == "net" || strings.HasPrefix(pkg, "net/") && pkg != "net/netip" && pkg != "net/url" || pkg == "crypto/tls"
}

// linksOnly are the edges of dependencies into network packages that
// link them without ever connecting, which parquet-go (for export) brings:
// uuid reads the interfaces' hardware addresses (net.Interfaces) for
// version-1 UUIDs, and brotli has an http.ResponseWriter wrapper for
// servers. Neither dials.
var linksOnly = map[string]bool{
	"github.com/google/uuid -> net":             true,
	"github.com/andybalholm/brotli -> net/http": true,
}

// TestNoNetworkCode keeps loghunt unable to send evidence anywhere but to
// a webhook or a language model the user configured: the only ways into
// the packages that open connections are loghunt/action, loghunt/llm and
// loghunt/clickhouse (ship, to the URL the user gives) importing net/http (for an http.Client); no other package of loghunt
// or of its dependencies reaches them, directly or through another
// package.
func TestNoNetworkCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[f[0]] = f[1:]
	}
	for _, p := range []string{"loghunt/action", "loghunt/llm"} {
		if _, ok := imports[p]; !ok {
			t.Fatalf("go list does not list %s", p)
		}
	}
	// Walk the imports from every loghunt package without the one
	// allowed edges; a network package reached is a leak, named with the
	// path to it.
	path := map[string]string{}
	var walk func(pkg, via string)
	walk = func(pkg, via string) {
		if _, seen := path[pkg]; seen {
			return
		}
		path[pkg] = via
		if isNetwork(pkg) {
			t.Errorf("loghunt links %s (%s), which can open network connections; only loghunt/action, loghunt/llm and loghunt/clickhouse (to the URL of ship) may, through net/http", pkg, via)
			return
		}
		for _, imp := range imports[pkg] {
			if (pkg == "loghunt/action" || pkg == "loghunt/llm" || pkg == "loghunt/clickhouse") && imp == "net/http" {
				continue
			}
			if linksOnly[pkg+" -> "+imp] {
				continue
			}
			walk(imp, via+" -> "+imp)
		}
	}
	// loghunt/clickhouse/chtest starts ClickHouse servers for tests and
	// talks to them on 127.0.0.1: only test files may import it (go list
	// without -test lists no test imports, so any importer is a leak).
	const testHelper = "loghunt/clickhouse/chtest"
	for pkg, imps := range imports {
		for _, imp := range imps {
			if imp == testHelper {
				t.Errorf("%s imports %s, which is for tests only", pkg, testHelper)
			}
		}
	}
	for pkg := range imports {
		if pkg == testHelper {
			continue
		}
		if pkg == "loghunt" || strings.HasPrefix(pkg, "loghunt/") {
			walk(pkg, pkg)
		}
	}
}

// TestActionUsesHTTPClientOnly checks how loghunt/action and loghunt/llm
// use net/http: a client that posts to the configured URL, nothing that
// listens, serves or dials by itself, and the webhook and chat code
// alone.
func TestActionUsesHTTPClientOnly(t *testing.T) {
	client := map[string]bool{"Client": true, "Transport": true, "Request": true, "Response": true,
		"NewRequestWithContext": true, "MethodPost": true, "ErrUseLastResponse": true, "Header": true}
	llm := map[string]bool{"Client": true, "NewRequestWithContext": true, "MethodPost": true, "ParseTime": true,
		"StatusOK": true, "StatusTooManyRequests": true, "StatusServiceUnavailable": true, "StatusUnauthorized": true, "StatusForbidden": true}
	for _, pkg := range []struct {
		dir, file string
		allowed   map[string]bool
	}{{"action", "webhook.go", client}, {"llm", "client.go", llm},
		{"clickhouse", "ship.go", map[string]bool{"Client": true, "NewRequestWithContext": true, "MethodPost": true, "StatusOK": true}}} {
		httpUsers(t, pkg.dir, pkg.file, pkg.allowed)
	}
}

// httpUsers checks that only file of dir imports net/http, and uses only
// the allowed names of it.
func httpUsers(t *testing.T, dir, file string, allowed map[string]bool) {
	files, err := filepath.Glob(dir + "/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("%s sources: %v %v", dir, files, err)
	}
	fset := token.NewFileSet()
	var users []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		local := ""
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if isNetwork(p) && p != "net/http" {
				t.Errorf("%s imports %s", name, p)
			}
			if p == "net/http" {
				local = "http"
				if imp.Name != nil {
					local = imp.Name.Name
				}
				users = append(users, filepath.Base(name))
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == local && !allowed[sel.Sel.Name] {
					t.Errorf("%s: http.%s is not client use", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
	if strings.Join(users, ",") != file {
		t.Errorf("in %s, net/http is imported by %v; want %s alone", dir, users, file)
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
