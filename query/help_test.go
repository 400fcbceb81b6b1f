package query

import (
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	for _, e := range HelpEntries() {
		if e.Name == "" || e.Syntax == "" || e.Summary == "" || e.Example == "" {
			t.Errorf("incomplete help entry %+v", e)
		}
	}
	for _, name := range StageNames() {
		h, ok := Help(name)
		if !ok || h.Kind != "stage" {
			t.Errorf("stage %s: %+v", name, h)
			continue
		}
		ex := h.Example
		if name != "search" && !strings.HasPrefix(ex, "|") && h.Name != "patterns" {
			ex = "| " + ex
		}
		if _, err := Parse(ex); err != nil {
			t.Errorf("example of %s does not parse: %v", name, err)
		}
		if _, ok := stageModes[name]; !ok {
			t.Errorf("stage %s unknown to the lexer", name)
		}
	}
	// Every name the users type finds an entry, aliases too.
	for name, want := range map[string]string{"first": "earliest", "LAST": "latest", "exactperc": "percN", "exactperc95": "percN",
		"p99": "percN", "upperperc": "upperpercN", "upperperc90": "upperpercN", "md5(": "md5", "sparkline": "sparkline"} {
		if h, ok := Help(name); !ok || h.Name != want {
			t.Errorf("Help(%q) = %q, %v; want %q", name, h.Name, ok, want)
		}
	}
	for _, e := range functionHelp {
		if _, err := Parse("| " + e.Example); err != nil {
			t.Errorf("example of %s does not parse: %v", e.Name, err)
		}
	}
	for _, e := range aggregateHelp {
		if _, err := Parse("| " + e.Example); err != nil {
			t.Errorf("example of %s does not parse: %v", e.Name, err)
		}
	}
	for _, name := range AggregateNames() {
		if _, ok := aggregateKinds[name]; !ok && name != "percN" && name != "upperpercN" {
			t.Errorf("aggregate %s in help but not in the grammar", name)
		}
	}
	if h, ok := Help("perc95"); !ok || h.Name != "percN" {
		t.Errorf("Help(perc95) = %+v", h)
	}
	if h, ok := Help("upperperc99.5"); !ok || h.Name != "upperpercN" {
		t.Errorf("Help(upperperc99.5) = %+v", h)
	}
	if got := OptionNames("bin"); len(got) != 1 || got[0] != "span" {
		t.Errorf("OptionNames(bin) = %q", got)
	}
	if got := OptionNames("stats"); len(got) != 0 {
		t.Errorf("OptionNames(stats) = %q", got)
	}
}
