package sigmamap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loghunt/sigma"
)

func fields(m map[string]string) func(string) (string, bool) {
	return func(f string) (string, bool) { v, ok := m[f]; return v, ok }
}

// TestBuiltinWindows: the thor.yml entries resolve a rule's logsource to
// the channels and EventIDs, with the field renames of the branch.
func TestBuiltinWindows(t *testing.T) {
	m := Builtin()
	pc := m.Resolve(sigma.Logsource{Category: "process_creation", Product: "windows"})
	if pc == nil {
		t.Fatal("process_creation unmapped")
	}
	sysmon := map[string]string{"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": "1"}
	security := map[string]string{"Channel": "Security", "EventID": "4688"}
	other := map[string]string{"Channel": "Security", "EventID": "4624"}
	var hold []string
	for _, ev := range []map[string]string{sysmon, security, other} {
		for _, b := range pc.Branches {
			if b.Holds(fields(ev)) {
				hold = append(hold, ev["EventID"]+":"+b.Entry+":"+b.Rename["Image"])
			}
		}
	}
	want := "1:process_creation_1: 4688:process_creation_2:NewProcessName"
	if got := strings.Join(hold, " "); got != want {
		t.Errorf("branches holding: %q, want %q (source %s)", got, want, pc)
	}
	sec := m.Resolve(sigma.Logsource{Product: "windows", Service: "security"})
	if sec == nil || sec.String() != `Channel="Security"` {
		t.Errorf("windows/security: %v", sec)
	}
	ps := m.Resolve(sigma.Logsource{Product: "windows", Category: "ps_script"})
	if ps == nil || !strings.Contains(ps.String(), `EventID="4104" Channel="Microsoft-Windows-PowerShell/Operational"`) {
		t.Errorf("ps_script: %v", ps)
	}
	// A category thor.yml does not describe is not mapped to all Windows
	// events by the product-only entry.
	if s := m.Resolve(sigma.Logsource{Product: "windows", Category: "file_rename"}); s != nil {
		t.Errorf("file_rename mapped: %s", s)
	}
	if s := m.Resolve(sigma.Logsource{Product: "windows"}); s == nil || !s.Branches[0].Holds(fields(other)) {
		t.Errorf("product windows alone: %v", s)
	}
	if s := m.Resolve(sigma.Logsource{Product: "azure", Service: "auditlogs"}); s != nil {
		t.Errorf("azure mapped: %s", s)
	}
}

func TestBuiltinLinuxWeb(t *testing.T) {
	m := Builtin()
	auth := m.Resolve(sigma.Logsource{Product: "linux", Service: "auth"})
	holds := func(s *Source, ev map[string]string) bool {
		for _, b := range s.Branches {
			if b.Holds(fields(ev)) {
				return true
			}
		}
		return false
	}
	if auth == nil {
		t.Fatal("linux/auth unmapped")
	}
	for ev, want := range map[*map[string]string]bool{
		{"sourcetype": "syslog", "source": "/x/secrepo_auth.log", "app": "kernel"}: true,
		{"sourcetype": "syslog", "source": "/var/log/messages", "app": "sshd"}:     true,
		{"sourcetype": "syslog", "source": "/var/log/messages", "app": "kernel"}:   false,
		{"sourcetype": "apache", "source": "/x/auth.log"}:                          false,
	} {
		if got := holds(auth, *ev); got != want {
			t.Errorf("linux/auth on %v: %v, want %v", *ev, got, want)
		}
	}
	sshd := m.Resolve(sigma.Logsource{Product: "linux", Service: "sshd"})
	if sshd == nil || holds(sshd, map[string]string{"sourcetype": "syslog", "app": "sudo"}) || !holds(sshd, map[string]string{"sourcetype": "syslog", "app": "sshd"}) {
		t.Errorf("linux/sshd: %v", sshd)
	}
	web := m.Resolve(sigma.Logsource{Category: "webserver"})
	if web == nil || web.Branches[0].Rename["cs-uri-query"] != "path" || web.Branches[0].Rename["sc-status"] != "status" ||
		!holds(web, map[string]string{"sourcetype": "apache"}) {
		t.Errorf("webserver: %v", web)
	}
}

// TestUserMapping: a user file adds a log source, and an entry with a
// built-in's name replaces it.
func TestUserMapping(t *testing.T) {
	user, err := Load(filepath.Join("..", "testdata", "sigma_map", "payroll.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Builtin().Extend(user)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Resolve(sigma.Logsource{Product: "payroll", Service: "audit"})
	if s == nil || len(s.Branches) != 1 || s.Branches[0].Rename["action"] != "act" ||
		!s.Branches[0].Holds(fields(map[string]string{"sourcetype": "json", "source": "/srv/payroll_audit.log"})) ||
		s.Branches[0].Holds(fields(map[string]string{"sourcetype": "json", "source": "/srv/other.log"})) {
		t.Errorf("payroll: %v", s)
	}
	over, err := Parse("over.yml", []byte("logsources:\n    windows-security:\n        product: windows\n        service: security\n        sources: ['WinEventLog:SecurityCopy']\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err = Builtin().Extend(over)
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Resolve(sigma.Logsource{Product: "windows", Service: "security"}); s == nil || s.String() != `Channel="SecurityCopy"` {
		t.Errorf("override: %v", s)
	}
	// process_creation's 4688 branch follows the replaced entry.
	if s := m.Resolve(sigma.Logsource{Product: "windows", Category: "process_creation"}); s == nil || !strings.Contains(s.String(), `"SecurityCopy"`) {
		t.Errorf("rewrite after override: %v", s)
	}
}

func TestMappingErrors(t *testing.T) {
	_, err := Load(filepath.Join("..", "testdata", "sigma_map", "bad_mapping.yml"))
	if err == nil || !strings.Contains(err.Error(), "bad_mapping.yml:7:13: source \"Syslog:payroll\"") {
		t.Errorf("err = %v", err)
	}
	for text, want := range map[string]string{
		"x: 1\n":                                  "x.yml:1:1: no logsources key",
		"logsources: [a]\n":                       "x.yml:1:13: logsources must be a map",
		"logsources:\n  a:\n    colour: red\n":    "x.yml:3:5: logsource \"a\": unknown key \"colour\"",
		"logsources:\n  a:\n    conditions: {}\n": "x.yml:3:5: logsource \"a\" names no category",
		"logsources:\n  a:\n    category: c\n    rewrite: {product: p, service: s}\n": "logsource \"a\" rewrites to product \"p\" service \"s\"",
		"logsources:\n  a:\n    category: c\n    conditions: {EventID: [ ]}\n":        "x.yml:4:27: condition EventID is an empty list",
		"logsources: [\n": "x.yml: yaml:",
	} {
		_, err := Parse("x.yml", []byte(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
	}
}

// TestThorYML reads SigmaHQ's tests/thor.yml itself: it is a mapping file,
// and its process_creation resolves as the built-in one's does.
func TestThorYML(t *testing.T) {
	p := filepath.Join("..", "..", "shared", "datasets", "sigma", "tests", "thor.yml")
	if _, err := os.Stat(p); err != nil {
		t.Skip("SigmaHQ's thor.yml not available")
	}
	thor, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(thor.Entries) != 91 {
		t.Errorf("%d entries, want thor.yml's 91", len(thor.Entries))
	}
	ls := sigma.Logsource{Category: "process_creation", Product: "windows"}
	if a, b := thor.Resolve(ls), Builtin().Resolve(ls); a == nil || b == nil || a.String() != b.String() {
		t.Errorf("thor %v, builtin %v", a, b)
	}
}

// TestBuiltinZeek: a Zeek log is the events whose _path (JSON logs, and
// TSV logs by their #path header) or @stream names it; the @stream entry
// renames id.orig_h to the id_orig_h of the logs that use it. Sigma's dns
// and proxy categories apply to the dns and http logs.
func TestBuiltinZeek(t *testing.T) {
	m := Builtin()
	holds := func(s *Source, ev map[string]string) (bool, map[string]string) {
		for _, b := range s.Branches {
			if b.Holds(fields(ev)) {
				return true, b.Rename
			}
		}
		return false, nil
	}
	dns := m.Resolve(sigma.Logsource{Product: "zeek", Service: "dns"})
	if dns == nil {
		t.Fatal("zeek/dns unmapped")
	}
	for _, c := range []struct {
		ev     map[string]string
		want   bool
		rename string // what id.orig_h becomes
	}{
		{map[string]string{"_path": "dns", "sourcetype": "zeek"}, true, ""},
		{map[string]string{"_path": "DNS", "sourcetype": "json"}, true, ""},
		{map[string]string{"@stream": "dns"}, true, "id_orig_h"},
		{map[string]string{"_path": "conn"}, false, ""},
		{map[string]string{"@stream": "conn", "service": "dns"}, false, ""},
	} {
		ok, ren := holds(dns, c.ev)
		if ok != c.want || ren["id.orig_h"] != c.rename {
			t.Errorf("%v: holds %v rename %q, want %v %q", c.ev, ok, ren["id.orig_h"], c.want, c.rename)
		}
	}
	proxy := m.Resolve(sigma.Logsource{Category: "proxy"})
	if ok, ren := holds(proxy, map[string]string{"_path": "http"}); !ok || ren["c-useragent"] != "user_agent" || ren["cs-host"] != "host" {
		t.Errorf("proxy on zeek http: %v %v", ok, ren)
	}
	if ok, _ := holds(proxy, map[string]string{"sourcetype": "apache"}); ok {
		t.Error("proxy holds on a web server's access log")
	}
	cat := m.Resolve(sigma.Logsource{Category: "dns"})
	if ok, ren := holds(cat, map[string]string{"@stream": "dns"}); !ok || ren["record_type"] != "qtype_name" || ren["src_ip"] != "id_orig_h" {
		t.Errorf("category dns on @stream dns: %v %v", ok, ren)
	}
}
