package sigma

import (
	"testing"
)

const filterRules = `title: rar use
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\rar.exe'
    condition: 1 of them
---
title: other product
id: 11111111-1111-1111-1111-111111111111
logsource:
    category: process_creation
    product: linux
detection:
    selection:
        Image|endswith: '/rar'
    condition: selection
---
title: Filter administrator accounts
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 6f3e2987-db24-4c78-a860-b4f4095a7095
        - 11111111-1111-1111-1111-111111111111
        - 99999999-9999-9999-9999-999999999999
    selection:
        User|startswith: 'adm_'
    condition: not selection
`

// TestFilters checks that a filter is AND'ed to the rules it names and
// whose log source fits, that its identifiers are not part of the rule's
// `1 of them`, and that a filter without rules applies to every rule.
func TestFilters(t *testing.T) {
	set := NewSet(Parse("filters.yml", []byte(filterRules), Options{}))
	if ps := set.Check(); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	rar := set.Lookup("6f3e2987-db24-4c78-a860-b4f4095a7095").(*Rule)
	lin := set.Lookup("11111111-1111-1111-1111-111111111111").(*Rule)
	for _, tc := range []struct {
		r    *Rule
		e    mapEvent
		want bool
	}{
		{rar, ev("Image", `C:\x\rar.exe`, "User", "bob"), true},
		{rar, ev("Image", `C:\x\rar.exe`, "User", "adm_bob"), false},
		{rar, ev("Image", `C:\x\zip.exe`, "User", "bob"), false},
		{rar, ev("User", "bob"), false},                             // `1 of them` does not include the filter's selection
		{lin, ev("Image", "/usr/bin/rar", "User", "adm_bob"), true}, // logsource does not fit: not filtered
	} {
		if got := tc.r.Match(tc.e); got != tc.want {
			t.Errorf("%s %v: got %v, want %v (%s)", tc.r.Title, tc.e.f, got, tc.want, String(tc.r.Expr))
		}
	}
	f := set.Filters[0]
	if len(f.Unresolved) != 1 || f.Unresolved[0] != "99999999-9999-9999-9999-999999999999" {
		t.Errorf("unresolved: %v", f.Unresolved)
	}

	anyFilter := `title: everywhere
logsource:
    product: windows
filter:
    selection:
        Computer: 'lab*'
    condition: not selection
`
	set = NewSet(Parse("a.yml", []byte(filterRules), Options{}), Parse("b.yml", []byte(anyFilter), Options{}))
	rar = set.Lookup("6f3e2987-db24-4c78-a860-b4f4095a7095").(*Rule)
	if rar.Match(ev("Image", `C:\rar.exe`, "User", "bob", "Computer", "lab7")) {
		t.Error("the filter without rules did not apply")
	}
	if !rar.Match(ev("Image", `C:\rar.exe`, "User", "bob", "Computer", "ws7")) {
		t.Error("filters removed a match they should keep")
	}
}

const globalCollection = `action: global
title: base
logsource:
    product: windows
detection:
    common:
        EventID: 1
    condition: common and sel
---
id: 22222222-2222-2222-2222-222222222222
detection:
    sel:
        Image|endswith: '\a.exe'
---
action: repeat
id: 33333333-3333-3333-3333-333333333333
detection:
    sel:
        Image|endswith: '\b.exe'
---
action: reset
---
title: alone
id: 44444444-4444-4444-4444-444444444444
logsource:
    product: windows
detection:
    sel:
        Image|endswith: '\c.exe'
    condition: sel
`

// TestGlobalCollection checks legacy multi-document collections.
func TestGlobalCollection(t *testing.T) {
	set := NewSet(Parse("c.yml", []byte(globalCollection), Options{}))
	if ps := set.Check(); len(ps) > 0 {
		t.Fatalf("problems: %v", ps)
	}
	if len(set.Rules) != 3 {
		t.Fatalf("%d rules, want 3", len(set.Rules))
	}
	for _, tc := range []struct {
		id   string
		e    mapEvent
		want bool
	}{
		{"22222222-2222-2222-2222-222222222222", ev("EventID", "1", "Image", `x\a.exe`), true},
		{"22222222-2222-2222-2222-222222222222", ev("EventID", "2", "Image", `x\a.exe`), false},
		{"33333333-3333-3333-3333-333333333333", ev("EventID", "1", "Image", `x\b.exe`), true},
		{"33333333-3333-3333-3333-333333333333", ev("EventID", "1", "Image", `x\a.exe`), false},
		{"44444444-4444-4444-4444-444444444444", ev("Image", `x\c.exe`), true},
	} {
		r := set.Lookup(tc.id).(*Rule)
		if got := r.Match(tc.e); got != tc.want {
			t.Errorf("%s %v: got %v (%s)", tc.id, tc.e.f, got, String(r.Expr))
		}
	}
	if set.Lookup("22222222-2222-2222-2222-222222222222").(*Rule).Title != "base" {
		t.Error("global title not merged")
	}
}

// TestBadYAML checks that syntax errors name the file and line.
func TestBadYAML(t *testing.T) {
	col := Parse("bad.yml", []byte("title: x\ndetection:\n  sel: [a\n  condition: sel\n"), Options{})
	if len(col.Problems) != 1 || col.Problems[0].Kind != KindYAML || col.Problems[0].Line == 0 {
		t.Fatalf("problems: %v", col.Problems)
	}
	col = Parse("dup.yml", []byte("title: x\ntitle: y\n"), Options{})
	if len(col.Problems) != 1 {
		t.Fatalf("duplicate key: %v", col.Problems)
	}
}
