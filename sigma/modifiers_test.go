package sigma

import (
	"encoding/base64"
	"strings"
	"testing"
)

type matchCase struct {
	ev   mapEvent
	want bool
}

// TestModifiers checks every modifier of the appendix, and the value
// rules of the specification, on events that must and must not match.
func TestModifiers(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	u16 := func(s string) string { return utf16Bytes(s, false) }
	tests := []struct {
		name      string
		detection string
		cases     []matchCase
	}{
		{"plain equality ignores case", `sel:
    Image: 'C:\Windows\System32\whoami.exe'
condition: sel`, []matchCase{
			{ev("Image", `c:\windows\system32\WHOAMI.EXE`), true},
			{ev("Image", `C:\Windows\System32\whoami.exe.bak`), false},
			{ev("Other", `C:\Windows\System32\whoami.exe`), false},
		}},
		{"unicode case folding", `sel:
    User: 'ÉLODIE'
condition: sel`, []matchCase{{ev("User", "élodie"), true}, {ev("User", "elodie"), false}}},
		{"cased", `sel:
    User|cased: 'Admin'
condition: sel`, []matchCase{{ev("User", "Admin"), true}, {ev("User", "admin"), false}}},
		{"contains startswith endswith", `a:
    F|contains: 'mid'
b:
    G|startswith: 'pre'
c:
    H|endswith: 'end'
condition: a and b and c`, []matchCase{
			{ev("F", "xxMIDxx", "G", "PREfix", "H", "the END"), true},
			{ev("F", "xxMIxx", "G", "PREfix", "H", "the END"), false},
			{ev("F", "mid", "G", "xpre", "H", "the END"), false},
			{ev("F", "mid", "G", "pre", "H", "endx"), false},
		}},
		{"wildcards", `sel:
    Image: 'prog?.exe'
condition: sel`, []matchCase{
			{ev("Image", "progA.exe"), true}, {ev("Image", "prog.exe"), false},
			{ev("Image", "progAB.exe"), false}, {ev("Image", "progé.exe"), true},
		}},
		{"star inside", `sel:
    Image: 'C:\\*\cmd.exe'
condition: sel`, []matchCase{
			{ev("Image", `C:\Windows\System32\cmd.exe`), true}, {ev("Image", `D:\x\cmd.exe`), false},
			{ev("Image", `C:*\cmd.exe`), false},
			{ev("Image", `C:\cmd.exe`), false},
		}},
		{"escaped star is a plain star", `sel:
    Image: 'C:\*\cmd.exe'
condition: sel`, []matchCase{{ev("Image", `C:*\cmd.exe`), true}, {ev("Image", `C:\x\cmd.exe`), false}}},
		{"escaped star and question mark", `sel:
    F: 'a\*b\?'
condition: sel`, []matchCase{{ev("F", "a*b?"), true}, {ev("F", "axb?"), false}, {ev("F", "a*bx"), false}}},
		{"escaped backslash before a wildcard", `sel:
    F: 'a\\*'
condition: sel`, []matchCase{{ev("F", `a\xyz`), true}, {ev("F", `a\`), true}, {ev("F", `axyz`), false}}},
		{"three backslashes: plain backslash and star", `sel:
    F: 'a\\\*'
condition: sel`, []matchCase{{ev("F", `a\*`), true}, {ev("F", `a\x`), false}}},
		{"four backslashes are two", `sel:
    F: 'a\\\\b'
condition: sel`, []matchCase{{ev("F", `a\\b`), true}, {ev("F", `a\b`), false}}},
		{"single backslash is plain", `sel:
    F: 'C:\temp\x'
condition: sel`, []matchCase{{ev("F", `C:\temp\x`), true}}},
		{"trailing backslash", `sel:
    F|endswith: 'Temp\'
condition: sel`, []matchCase{{ev("F", `C:\Temp\`), true}, {ev("F", `C:\Temp`), false}}},
		{"list is or", `sel:
    F:
        - a
        - b
condition: sel`, []matchCase{{ev("F", "a"), true}, {ev("F", "b"), true}, {ev("F", "c"), false}}},
		{"all makes a list and", `sel:
    CommandLine|contains|all:
        - ' -nop '
        - ' -enc '
condition: sel`, []matchCase{
			{ev("CommandLine", "powershell -nop -enc AAA"), true}, // the two values may share the space
			{ev("CommandLine", "powershell -nop -e AAA"), false},
			{ev("CommandLine", "powershell -enc AAA"), false},
		}},
		{"map is and, list of maps is or", `sel:
    - A: 1
      B: 2
    - C: 3
condition: sel`, []matchCase{
			{ev("A", "1", "B", "2"), true}, {ev("A", "1"), false}, {ev("C", "3"), true},
		}},
		{"re is case-sensitive and unanchored", `sel:
    F|re: 'ab+c'
condition: sel`, []matchCase{{ev("F", "xxabbbcxx"), true}, {ev("F", "ABC"), false}}},
		{"re i", `sel:
    F|re|i: '^abc$'
condition: sel`, []matchCase{{ev("F", "ABC"), true}, {ev("F", "xABC"), false}}},
		{"re m", `sel:
    F|re|m: '^second$'
condition: sel`, []matchCase{{ev("F", "first\nsecond\nthird"), true}}},
		{"re without m", `sel:
    F|re: '^second$'
condition: sel`, []matchCase{{ev("F", "first\nsecond\nthird"), false}}},
		{"re s", `sel:
    F|re|s: 'a.b'
condition: sel`, []matchCase{{ev("F", "a\nb"), true}}},
		{"re without s", `sel:
    F|re: 'a.b'
condition: sel`, []matchCase{{ev("F", "a\nb"), false}, {ev("F", "axb"), true}}},
		{"cidr", `sel:
    Ip|cidr:
        - 10.0.0.0/8
        - 'fd00::/8'
condition: sel`, []matchCase{
			{ev("Ip", "10.1.2.3"), true}, {ev("Ip", "11.1.2.3"), false}, {ev("Ip", "fd12::1"), true},
			{ev("Ip", "::ffff:10.0.0.1"), true}, {ev("Ip", "not an ip"), false}, {ev("Ip", "fe80::1"), false},
		}},
		{"base64", `sel:
    F|base64: 'cmd.exe'
condition: sel`, []matchCase{{ev("F", b64("cmd.exe")), true}, {ev("F", "cmd.exe"), false}}},
		{"base64 contains", `sel:
    F|base64|contains: 'http'
condition: sel`, []matchCase{{ev("F", "xx"+b64("http")+"yy"), true}}},
		{"base64offset at each of the three offsets", `sel:
    F|base64offset|contains: 'http://evil'
condition: sel`, []matchCase{
			{ev("F", b64("http://evil.example/x")), true},
			{ev("F", b64("Ahttp://evil.example/x")), true},
			{ev("F", b64("ABhttp://evil.example/x")), true},
			{ev("F", b64("ABChttp://evil.example/x")), true},
			{ev("F", b64("http://good.example/x")), false},
			{ev("F", b64("Ahttp://good.example")), false},
		}},
		{"utf16le then base64offset (PowerShell -enc)", `sel:
    CommandLine|utf16le|base64offset|contains: 'Invoke-Expression'
condition: sel`, []matchCase{
			{ev("CommandLine", "powershell -enc "+b64(u16("Invoke-Expression $x"))), true},
			{ev("CommandLine", "powershell -enc "+b64(u16("a Invoke-Expression $x"))), true},
			{ev("CommandLine", "powershell -enc "+b64(u16("ab Invoke-Expression $x"))), true},
			{ev("CommandLine", "powershell -enc "+b64(u16("abc Invoke-Expression $x"))), true},
			{ev("CommandLine", "powershell -enc "+b64("Invoke-Expression $x")), false},
		}},
		{"wide is utf16le", `sel:
    F|wide|base64: 'cmd'
condition: sel`, []matchCase{{ev("F", b64("c\x00m\x00d\x00")), true}}},
		{"utf16be", `sel:
    F|utf16be|base64: 'cmd'
condition: sel`, []matchCase{{ev("F", b64("\x00c\x00m\x00d")), true}}},
		{"utf16 has a byte order mark", `sel:
    F|utf16|base64: 'cmd'
condition: sel`, []matchCase{{ev("F", b64("\xff\xfec\x00m\x00d\x00")), true}}},
		{"windash", `sel:
    CommandLine|windash|contains: ' -enc '
condition: sel`, []matchCase{
			{ev("CommandLine", "ps -enc x"), true}, {ev("CommandLine", "ps /enc x"), true},
			{ev("CommandLine", "ps \u2013enc x"), true}, {ev("CommandLine", "ps \u2014enc x"), true},
			{ev("CommandLine", "ps \u2015enc x"), true}, {ev("CommandLine", "ps +enc x"), false},
		}},
		{"windash with two dashes takes every combination", `sel:
    CommandLine|windash|contains: '-a -b'
condition: sel`, []matchCase{
			{ev("CommandLine", "x /a \u2013b"), true}, {ev("CommandLine", "x -a /b"), true},
			{ev("CommandLine", "x -a +b"), false},
		}},
		{"exists", `a:
    F|exists: true
b:
    G|exists: false
condition: a and b`, []matchCase{{ev("F", ""), true}, {ev("F", "x", "G", ""), false}, {ev(), false}}},
		{"numeric comparisons", `a:
    N|gt: 10
b:
    N|lte: 20
condition: a and b`, []matchCase{
			{ev("N", "11"), true}, {ev("N", "10"), false}, {ev("N", "20"), true}, {ev("N", "20.5"), false},
			{ev("N", "0x10"), true}, {ev("N", "abc"), false},
		}},
		{"gte lt", `a:
    N|gte: 1.5
b:
    N|lt: 2
condition: a and b`, []matchCase{{ev("N", "1.5"), true}, {ev("N", "2"), false}, {ev("N", "1.4"), false}}},
		{"neq", `sel:
    User|neq: admin
condition: sel`, []matchCase{{ev("User", "ADMIN"), false}, {ev("User", "bob"), true}, {ev(), false}}},
		{"neq with a list is none of them", `sel:
    User|neq:
        - admin
        - root
condition: sel`, []matchCase{{ev("User", "root"), false}, {ev("User", "bob"), true}}},
		{"fieldref", `sel:
    TargetFilename|fieldref: Image
condition: sel`, []matchCase{
			{ev("TargetFilename", `C:\a.exe`, "Image", `c:\A.EXE`), true},
			{ev("TargetFilename", `C:\a.exe`, "Image", `C:\b.exe`), false},
			{ev("TargetFilename", `C:\a.exe`), false},
		}},
		{"fieldref endswith", `sel:
    CommandLine|fieldref|endswith: Image
condition: sel`, []matchCase{{ev("CommandLine", `run C:\a.exe`, "Image", `C:\a.exe`), true}}},
		{"fieldref neq", `sel:
    User|fieldref|neq: ParentUser
condition: sel`, []matchCase{{ev("User", "a", "ParentUser", "b"), true}, {ev("User", "a", "ParentUser", "A"), false}}},
		{"null is absent or empty", `sel:
    CommandLine: null
condition: sel`, []matchCase{{ev(), true}, {ev("CommandLine", ""), true}, {ev("CommandLine", "x"), false}}},
		{"empty string is present and empty", `sel:
    CommandLine: ''
condition: sel`, []matchCase{{ev("CommandLine", ""), true}, {ev(), false}, {ev("CommandLine", "x"), false}}},
		{"numbers compare as numbers too", `sel:
    EventID: 4688
condition: sel`, []matchCase{{ev("EventID", "4688"), true}, {ev("EventID", "0x1250"), true}, {ev("EventID", "4689"), false}}},
		{"quoted numbers are strings", `sel:
    EventID: '4688'
condition: sel`, []matchCase{{ev("EventID", "4688"), true}, {ev("EventID", "0x1250"), false}}},
		{"hex stays as written", `sel:
    TicketOptions: 0x40810000
condition: sel`, []matchCase{{ev("TicketOptions", "0x40810000"), true}, {ev("TicketOptions", "1082195968"), true}}},
		{"time modifiers", `a:
    T|hour: 3
b:
    T|month|gte: 6
condition: a and b`, []matchCase{
			{ev("T", "2024-07-01T03:15:00Z"), true}, {ev("T", "2024-07-01T04:15:00Z"), false},
			{ev("T", "2024-05-01 03:15:00"), false}, {ev("T", "garbage"), false},
		}},
		{"keywords on the raw text", `keywords:
    - 'event::clear'
    - 'mimi*katz'
condition: keywords`, []matchCase{
			{rawEv("x EVENT::CLEAR y"), true}, {rawEv("run mimiXXkatz now"), true}, {rawEv("event::drop"), false},
		}},
		{"keywords with all", `keywords:
    '|all':
        - 'OabVirtualDirectory'
        - ' -ExternalUrl '
condition: keywords`, []matchCase{
			{rawEv("Set-OabVirtualDirectory -ExternalUrl http://x"), true}, {rawEv("Set-OabVirtualDirectory"), false},
		}},
		{"keyword escape", `keywords:
    - 'a\*b'
condition: keywords`, []matchCase{{rawEv("xx a*b yy"), true}, {rawEv("xx acb yy"), false}}},
		{"keyword regex", `keywords:
    '|re': 'user=\w+ failed'
condition: keywords`, []matchCase{{rawEv("x user=bob failed"), true}, {rawEv("user= failed"), false}}},
		{"expand with a defined placeholder", `sel:
    Computer|expand: '%Servers%'
condition: sel`, []matchCase{{ev("Computer", "SRV01"), true}, {ev("Computer", "dc01"), true}, {ev("Computer", "ws01"), false}}},
		{"percent without expand is plain", `sel:
    F: '%Servers%'
condition: sel`, []matchCase{{ev("F", "%Servers%"), true}, {ev("F", "srv01"), false}}},
		{"escaped percent under expand", `sel:
    F|expand: '\%plain%Servers%'
condition: sel`, []matchCase{{ev("F", "%plainsrv01"), true}, {ev("F", "%plain%Servers%"), false}}},
	}
	opts := Options{Placeholders: map[string][]string{"Servers": {"srv*", "dc01"}}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := compileRule(t, tc.detection, opts)
			if !r.CanRun() {
				t.Fatalf("cannot run: %v", r.Problems)
			}
			for i, c := range tc.cases {
				if got := r.Match(c.ev); got != c.want {
					t.Errorf("case %d %v raw=%q: got %v, want %v (rule %s)", i, c.ev.f, c.ev.raw, got, c.want, String(r.Expr))
				}
			}
		})
	}
}

// TestProblems checks that rules that cannot run say why, and where.
func TestProblems(t *testing.T) {
	tests := []struct {
		name, detection string
		kind            Kind
		msg             string // substring
		line, condCol   int
	}{
		{"unknown modifier", "sel:\n    F|contians: x\ncondition: sel", KindModifier, `unknown modifier "contians"`, 7, 0},
		{"undefined placeholder", "sel:\n    F|expand: '%Admins%'\ncondition: sel", KindPlaceholder, "%Admins% is not defined", 7, 0},
		{"bad regex", "sel:\n    F|re: 'a(?=b)'\ncondition: sel", KindRegex, "a(?=b)", 7, 0},
		{"dangling and", "sel:\n    F: x\ncondition: sel and", KindCondition, "condition ends", 8, 8},
		{"unbalanced parenthesis", "sel:\n    F: x\ncondition: (sel or sel", KindCondition, "missing `)`", 8, 12},
		{"unknown identifier", "selection:\n    F: x\ncondition: selction", KindCondition, `did you mean "selection"`, 8, 1},
		{"2 of", "sel:\n    F: x\ncondition: 2 of sel*", KindCondition, "only `1 of` and `all of`", 8, 1},
		{"aggregation", "sel:\n    F: x\ncondition: sel | count() > 5", KindCondition, "correlation rule", 8, 5},
		{"pattern matches nothing", "sel:\n    F: x\ncondition: 1 of filter*", KindCondition, "matches no search identifier", 8, 1},
		{"bare wildcard", "sel:\n    F: x\ncondition: sel*", KindCondition, "only allowed after", 8, 1},
		{"base64 of a wildcard", "sel:\n    F|contains|base64: x\ncondition: sel", KindBadValue, "wildcards cannot be encoded", 7, 0},
		{"null in a list", "sel:\n    F:\n        - a\n        - null\ncondition: sel", KindBadValue, "null cannot be part of a list", 9, 0},
		{"exists needs a bool", "sel:\n    F|exists: maybe\ncondition: sel", KindBadValue, "true or false", 7, 0},
		{"gt needs a number", "sel:\n    F|gt: ten\ncondition: sel", KindBadValue, "needs a number", 7, 0},
		{"re with contains", "sel:\n    F|re|contains: x\ncondition: sel", KindModifier, "cannot be combined", 7, 0},
		{"i without re", "sel:\n    F|i: x\ncondition: sel", KindModifier, "only after re", 7, 0},
		{"no condition", "sel:\n    F: x", KindMissing, "no condition", 6, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			col := Parse("test.yml", []byte(ruleYAML(tc.detection)), Options{})
			if len(col.Rules) != 1 {
				t.Fatalf("rules: %d, problems %v", len(col.Rules), col.Problems)
			}
			r := col.Rules[0]
			if r.CanRun() {
				t.Fatalf("rule can run: %s", String(r.Expr))
			}
			ps := Check(r)
			found := false
			for _, p := range ps {
				if p.Kind == tc.kind && strings.Contains(p.Msg, tc.msg) {
					found = true
					if p.Line != tc.line || p.CondCol != tc.condCol {
						t.Errorf("problem %s at line %d condition column %d, want line %d column %d", p, p.Line, p.CondCol, tc.line, tc.condCol)
					}
				}
			}
			if !found {
				t.Errorf("problems %v: none of kind %s with %q", ps, tc.kind, tc.msg)
			}
			if r.Match(ev("F", "x")) {
				t.Error("a rule that cannot run matched")
			}
		})
	}
}
