package assist

import (
	"os"
	"strings"
	"testing"
)

func TestParseReply(t *testing.T) {
	for _, c := range []struct{ raw, query, note string }{
		{`{"query": "* | head 1", "explanation": "one event"}`, "* | head 1", "one event"},
		{"Here it is:\n```spl\n* | stats count\n```\nDone.", "* | stats count", ""},
		{"```\n{\"query\": \"a | head 2\"}\n```", "a | head 2", ""},
		{"  status>=500 | top path  ", "status>=500 | top path", ""},
	} {
		q, n := parseReply(c.raw)
		if q != c.query || n != c.note {
			t.Errorf("%q: %q %q, want %q %q", c.raw, q, n, c.query, c.note)
		}
	}
}

// TestExamplesFrom: the hunts' queries on one line each, with the
// comment lines just above them.
func TestExamplesFrom(t *testing.T) {
	raw, err := os.ReadFile("../hunts/auth.lhq")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ExamplesFrom("auth.lhq", string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 4 {
		t.Fatalf("%d examples", len(ex))
	}
	want := Example{Comment: "Accounts tried that do not exist, per source: dictionary attacks",
		Query: "action=invalid_user | stats count as attempts, dc(user) as users by src_ip | where users >= 5 | sort -attempts"}
	if ex[2] != want {
		t.Errorf("example 3: %+v", ex[2])
	}
	for _, e := range ex {
		if strings.Contains(e.Query, "\n") || strings.Contains(e.Query, "#") || strings.HasSuffix(e.Query, ";") {
			t.Errorf("query %q", e.Query)
		}
	}
	if _, err := ExamplesFrom("bad.lhq", "a \"unclosed\n"); err == nil || !strings.HasPrefix(err.Error(), "bad.lhq: ") {
		t.Errorf("unclosed quote: %v", err)
	}
}
