package query

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorRendering(t *testing.T) {
	cases := []struct{ q, want string }{
		{"* | stast count",
			"* | stast count\n    ^ unknown stage \"stast\" (did you mean \"stats\"?)"},
		{"| where lenn(x) > 1",
			"| where lenn(x) > 1\n        ^ unknown function \"lenn\" (did you mean \"len\"?)"},
		{"| stats count by",
			"| stats count by\n                ^ expected a field name after 'by', got end of query (usage: stats AGG [as name], ... [by f, g])"},
		{`"Failed password`,
			"\"Failed password\n^ unclosed quote"},
		{"| bin _time spn=1m",
			"| bin _time spn=1m\n            ^ unknown option \"spn\" for bin (did you mean \"span\"?)"},
		{"| stats cuont by x",
			"| stats cuont by x\n        ^ unknown aggregate \"cuont\" (did you mean \"count\"?)"},
		{"| where (a > 1",
			"| where (a > 1\n        ^ '(' is not closed"},
		{"| where a > 1)",
			"| where a > 1)\n             ^ unexpected ')'"},
		{"error\n| tpo 5 user",
			"| tpo 5 user\n  ^ unknown stage \"tpo\" (did you mean \"top\"?) (line 2)"},
		{"| eval é = 1 + ",
			"| eval é = 1 + \n               ^ expected an operand after '+', got end of query (usage: eval f = EXPR [, g = EXPR])"},
		{"| head 1.5",
			"| head 1.5\n       ^ head takes a whole number, not 1.5"},
		{"a | ",
			"a | \n    ^ expected a stage name after '|'"},
		// An output named as a by field would lose one of the two values
		// (the differential test, seed 21: the engine kept the by value,
		// the reference the aggregate); Splunk refuses it too.
		{"| stats count, max(x) as user by host, user",
			"| stats count, max(x) as user by host, user\n               ^ the output user has the same name as a by field; name it with 'as'"},
		{"| stats perc99(_time) by `perc99(_time)`",
			"| stats perc99(_time) by `perc99(_time)`\n        ^ the output perc99(_time) has the same name as a by field; name it with 'as'"},
	}
	for _, c := range cases {
		_, err := Parse(c.q)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("Parse(%q) = %v, want an *Error", c.q, err)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("Parse(%q) error\n got:\n%s\nwant:\n%s", c.q, got, c.want)
		}
	}
}

func TestErrorLimits(t *testing.T) {
	deep := strings.Repeat("(", 30000) + "a" + strings.Repeat(")", 30000)
	cases := []struct{ q, msg string }{
		{strings.Repeat("a ", 40000), "query is too long (more than 64 KiB)"},
		{deep, "query is nested too deeply (more than 100 levels)"},
		{"| where " + strings.Repeat("(", 101) + "1" + strings.Repeat(")", 101), "query is nested too deeply (more than 100 levels)"},
		{"| where " + strings.Repeat("NOT ", 5000) + "x", "query is nested too deeply (more than 100 levels)"},
		{"| where " + strings.Repeat("-", 5000) + "x", "query is nested too deeply (more than 100 levels)"},
		{"", "empty query"},
		{"  \n ", "empty query"},
		{"a\xff", "query is not valid UTF-8"},
	}
	for _, c := range cases {
		_, err := Parse(c.q)
		var qe *Error
		if !errors.As(err, &qe) || qe.Msg != c.msg {
			t.Errorf("Parse(%.40q...) = %v, want %q", c.q, err, c.msg)
		}
	}
	ok := "| where " + strings.Repeat("(", 99) + "1" + strings.Repeat(")", 99)
	if _, err := Parse(ok); err != nil {
		t.Errorf("99 levels: %v", err)
	}
}

func TestErrorLongLine(t *testing.T) {
	q := "| where x = 1 AND " + strings.Repeat("a = 1 AND ", 30) + "foo(1)"
	_, err := Parse(q)
	got := err.Error()
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "…") || len([]rune(lines[0])) > 90 {
		t.Fatalf("long line not cut:\n%s", got)
	}
	caret := strings.Index(lines[1], "^")
	if !strings.HasPrefix(string([]rune(lines[0])[caret:]), "foo(1)") {
		t.Errorf("caret not under foo:\n%s", got)
	}
}

func TestSuggest(t *testing.T) {
	cases := []struct{ name, want string }{
		{"stast", "stats"}, {"stat", "stats"}, {"timchart", "timechart"}, {"tpo", "top"},
		{"anomaly", "anomalies"}, {"xyzzy", ""}, {"eventstat", "eventstats"}, {"srot", "sort"},
	}
	for _, c := range cases {
		if got := suggest(c.name, StageNames()); got != c.want {
			t.Errorf("suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}
