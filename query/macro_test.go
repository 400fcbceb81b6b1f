package query

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const testMacroFile = `# auth hunts
failed_ssh = sshd "Failed password"
by_src(field, n) = rex "from (?<src>\S+)"
  | stats count by src, $field$
  | where count >= $n$
top_src(n) = ` + "`by_src(user, $n$)`" + ` | sort -count
top_src = ` + "`top_src(1)`" + `
dollar(x) = eval cost = "$$" + "$x$"
bad_stage(x) = eval a = $x$ | wher a > 1
outer(x) = ` + "`failed_ssh`" + ` | ` + "`bad_stage($x$)`" + `
`

func testMacros(t *testing.T) *Macros {
	t.Helper()
	ms, err := ParseMacroFile("macros.lhq", testMacroFile)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// TestMacroExpansion: macros expand to their text with the arguments as
// written, inside macros too; backquoted fields, backquotes in strings and
// $$ stay as they are.
func TestMacroExpansion(t *testing.T) {
	ms := testMacros(t)
	if got := len(ms.List()); got != 7 {
		t.Fatalf("%d macros", got)
	}
	for _, c := range []struct{ q, want string }{
		{"`failed_ssh` | head 1", `sshd "Failed password" | head 1`},
		{"`failed_ssh` | `by_src(user, 3)`", "sshd \"Failed password\" | rex \"from (?<src>\\S+)\"\n  | stats count by src, user\n  | where count >= 3"},
		{"* | `top_src(5)`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, user\n  | where count >= 5 | sort -count"},
		{"* | `top_src`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, user\n  | where count >= 1 | sort -count"},
		{"* | `dollar( 3 )`", `* | eval cost = "$" + "3"`},
		// By name, as Splunk's `m(arg=value)`: in any order.
		{"* | `by_src(n=4, field=host)`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, host\n  | where count >= 4"},
		{"* | `by_src(field = user, n =2)`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, user\n  | where count >= 2"},
		// Not every argument named, a name twice or not the macro's: by position.
		{"* | `by_src(status=404, 5)`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, status=404\n  | where count >= 5"},
		{"* | `by_src(n=1, n=2)`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, n=1\n  | where count >= n=2"},
		{"* | `dollar(a==b)`", `* | eval cost = "$" + "a==b"`},
		{"* | `dollar(x=5)`", `* | eval cost = "$" + "5"`},
		{"* | `dollar(\"a, b\")`", `* | eval cost = "$" + ""a, b""`},
		{"* | `by_src(f(a, b), 2)`", "* | rex \"from (?<src>\\S+)\"\n  | stats count by src, f(a, b)\n  | where count >= 2"},
		{"* | table `id.orig_h`, `failed_ssh(1)`", "ERR"},
		{"* | table `id.orig_h`, `count(x)`", "* | table `id.orig_h`, `count(x)`"},
		{"* | where x = \"`failed_ssh`\" | table `count(x)`", "* | where x = \"`failed_ssh`\" | table `count(x)`"},
		{"* | rex \"don't `failed_ssh`\"", "* | rex \"don't `failed_ssh`\""},
	} {
		got, err := ExpandMacros(c.q, ms)
		if c.want == "ERR" {
			if err == nil {
				t.Errorf("%s: expanded to %q, want an error", c.q, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s:\n got %q (%v)\nwant %q", c.q, got, err, c.want)
		}
	}
}

// TestMacroQueriesRunAsWritten: on a real auth log a query with macros
// gives what the same query written out gives.
func TestMacroQueriesRunAsWritten(t *testing.T) {
	s := excerptDB(t, authExcerpt)
	ms := testMacros(t)
	for _, c := range []struct{ macro, plain string }{
		{"`failed_ssh` | `by_src(user, 2)`", `sshd "Failed password" | rex "from (?<src>\S+)" | stats count by src, user | where count >= 2`},
		{"`failed_ssh` | `top_src`", `sshd "Failed password" | rex "from (?<src>\S+)" | stats count by src, user | where count >= 1 | sort -count`},
	} {
		pq, err := ParseWithMacros(c.macro, ms)
		if err != nil {
			t.Fatal(err)
		}
		got := s.run(pq.String())
		want := s.run(c.plain)
		if len(want) < 3 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d rows, written out %d", c.macro, len(got), len(want))
		}
	}
}

// TestMacroErrors: an error inside a macro points into its definition,
// then at each place it was used, down to the query; recursion, depth,
// size and argument counts are errors that say so.
func TestMacroErrors(t *testing.T) {
	ms := testMacros(t)
	cases := []struct{ q, want string }{
		{"* | `bad_stage(1)`", "" +
			"bad_stage(x) = eval a = $x$ | wher a > 1\n" +
			"                              ^ unknown stage \"wher\" (did you mean \"where\"?)\n" +
			"in macro bad_stage(1) (macros.lhq line 9), used in the query:\n" +
			"* | `bad_stage(1)`\n" +
			"    ^ here"},
		// A mistake in an argument is in the query's text.
		{"* | `by_src(user +, 1)`", "" +
			"* | `by_src(user +, 1)`\n" +
			"                 ^ unexpected '+'"},
		// Two levels: the caret in the inner macro's line, then both uses.
		{"`outer(2)` | head", "" +
			"bad_stage(x) = eval a = $x$ | wher a > 1\n" +
			"                              ^ unknown stage \"wher\" (did you mean \"where\"?)\n" +
			"in macro bad_stage(1) (macros.lhq line 9), used in macro outer(1):\n" +
			"outer(x) = `failed_ssh` | `bad_stage($x$)`\n" +
			"                          ^ here\n" +
			"in macro outer(1) (macros.lhq line 10), used in the query:\n" +
			"`outer(2)` | head\n" +
			"^ here"},
		// A continuation line: its own line number.
		{"* | `by_src(user, )`", "" +
			"  | where count >= $n$\n" +
			"                   ^ expected an operand after '>=', got end of query (usage: where EXPR)\n" +
			"in macro by_src(2) (macros.lhq line 5), used in the query:\n" +
			"* | `by_src(user, )`\n" +
			"    ^ here"},
		{"* | `by_src(user)`", "" +
			"* | `by_src(user)`\n" +
			"    ^ macro by_src is given 1 argument, but it is defined as by_src(field, n)"},
		{"* | `top_src(1, 2)`", "macro top_src is given 2 arguments, but it is defined as top_src and top_src(n)"},
		{"* | `faild_ssh` | head", "(no macro is named faild_ssh; did you mean failed_ssh?)"},
	}
	for _, c := range cases {
		_, err := ParseWithMacros(c.q, ms)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n%v\nwant\n%s", c.q, err, c.want)
		}
		if _, ok := err.(*Error); !ok {
			t.Errorf("%s: %T is no *Error", c.q, err)
		}
	}
	// Recursion, directly and through another macro.
	rec, err := ParseMacroFile("r.lhq", "a = `b` x\nb = `a`\nself(n) = `self($n$)`\n")
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"`a`":       "macro a uses itself (a → b → a)",
		"* | `b`":   "macro b uses itself (b → a → b)",
		"`self(1)`": "macro self(1) uses itself (self(1) → self(1))",
	} {
		if _, err := ParseWithMacros(q, rec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
	// A chain deeper than MaxMacroDepth, and one that doubles at each level.
	var deep, wide strings.Builder
	for i := 0; i < MaxMacroDepth+5; i++ {
		fmt.Fprintf(&deep, "m%d = `m%d`\n", i, i+1)
	}
	fmt.Fprintf(&deep, "m%d = *\n", MaxMacroDepth+5)
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&wide, "w%d = `w%d` `w%d`\n", i, i-1, i-1)
	}
	wide.WriteString("w0 = word\n")
	for text, want := range map[string]string{deep.String(): "more than 32 deep", wide.String(): "more than 64 KiB once macro"} {
		set, err := ParseMacroFile("x.lhq", text)
		if err != nil {
			t.Fatal(err)
		}
		q := "`m0` | head"
		if strings.HasPrefix(text, "w") {
			q = "`w19` | head"
		}
		if _, err := ParseWithMacros(q, set); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
	// Ten levels are fine.
	set, _ := ParseMacroFile("x.lhq", deep.String())
	if q, err := ParseWithMacros("`m"+fmt.Sprint(MaxMacroDepth+5-10)+"` | head", set); err != nil || q.String() != "* | head" {
		t.Errorf("ten levels: %v %v", q, err)
	}
}

// TestMacroFileErrors: mistakes in a macros file name its line.
func TestMacroFileErrors(t *testing.T) {
	for text, want := range map[string]string{
		"a = x\n\nb c = y\n":           `m.lhq line 3: bad macro name "b c"`,
		"a = x\nnothing here\n":        "m.lhq line 2: a macro definition is `name = TEXT` or `name(a, b) = TEXT`: no '='",
		"f(a, a) = $a$\n":              "m.lhq line 1: macro f: argument a is named twice",
		"f(a, 1b) = $a$\n":             `m.lhq line 1: macro f: bad argument name "1b"`,
		"f(a = x\n":                    "m.lhq line 1: macro f(a: the arguments need a closing ')'",
		"f(src) = stats count by $sr$": "m.lhq line 1: macro f(src) uses $sr$, which is not one of its arguments (src) (write $$ for a $)",
		"g = x\n# c\ng = y\n":          "m.lhq line 3: macro g is defined twice (also at line 1)",
		"  | head\n":                   "m.lhq line 1: a line that starts with a space continues a definition",
		"e = \n":                       "m.lhq line 1: macro e has no text after '='",
	} {
		if _, err := ParseMacroFile("m.lhq", text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
	// Same name, other argument counts: both kept.
	ms, err := ParseMacroFile("m.lhq", "g = x\ng(a) = $a$\n")
	if err != nil || ms.Len() != 2 || ms.List()[1].Key() != "g(1)" {
		t.Errorf("g and g(1): %v %v", ms, err)
	}
}

// FuzzParseWithMacros: any text with any macros file gives a query or an
// error, never a panic, and a query prints back to text that parses to
// the same query.
func FuzzParseWithMacros(f *testing.F) {
	for _, s := range []string{"`failed_ssh` | `by_src(user, 3)`", "* | `top_src`", "`outer(2)` | head", "`a`",
		"* | `dollar(\"a, b\")`", "`by_src(f(a, b), 2)`", "* | table `id.orig_h`", "`", "``", "`by_src(", "* | `x(`y`)`"} {
		f.Add(s, testMacroFile)
	}
	f.Add("`a` | `b(1)`", "a = `b(2)`\nb(x) = $x$ `a`\n")
	f.Fuzz(func(t *testing.T, q, file string) {
		ms, err := ParseMacroFile("f.lhq", file)
		if err != nil {
			return
		}
		pq, err := ParseWithMacros(q, ms)
		if err != nil {
			_ = err.Error()
			return
		}
		again, err := Parse(pq.String())
		if err != nil || again.String() != pq.String() {
			t.Fatalf("%q printed %q: %v", q, pq.String(), err)
		}
	})
}
