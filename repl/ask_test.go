package repl

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"loghunt/llm"
)

// TestAskREPL: .ask against a stub model on 127.0.0.1 that answers a
// query that does not parse, then one that does; the query is shown,
// added to the history, and runs only after y (or with --yes).
func TestAskREPL(t *testing.T) {
	dbPath := testDB(t, 30)
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		q := "status=404 | stats count as n"
		if n%2 == 1 {
			q = "status=404 | stats count as"
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"content": `{"query": "` + strings.ReplaceAll(q, `"`, `\"`) + `"}`}}}})
	}))
	defer srv.Close()
	f := &fakeReader{lines: []string{
		".ask how many requests were not found?",
		"y",
		".ask --yes how many requests were not found?",
		".ask how many requests were not found?",
		"n",
		".ask",
	}}
	out := session(t, dbPath, f, func(r *REPL) {
		r.cfg.LLM = func() (*llm.Config, error) { return &llm.Config{URL: srv.URL + "/v1", Model: "m"}, nil }
	})
	shown := "the model's query does not parse; sending the error back (retry 1 of 2)\nthe model's query (on try 2):\n  status=404 | stats count as n\n"
	if strings.Count(out, shown) != 3 {
		t.Errorf("the query is not shown three times:\n%s", out)
	}
	if strings.Count(out, "\nn\n--\n10\n1 row in ") != 2 || !strings.Contains(out, "\nnot run\n") {
		t.Errorf("runs after y and --yes only:\n%s", out)
	}
	if !strings.Contains(out, "usage: .ask [--yes] QUESTION (.help ask)") {
		t.Errorf(".ask without a question:\n%s", out)
	}
	mu.Lock()
	bodies = slices.Clone(bodies)
	mu.Unlock()
	if n := len(bodies); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}
	if !strings.Contains(bodies[1], `^ `) || !strings.Contains(bodies[1], "loghunt's parser rejects that query") {
		t.Errorf("the retry lacks the caret message:\n%s", bodies[1])
	}
	if want := []string{"run it? [y/N] "}; !slices.Contains(f.prompts, want[0]) {
		t.Errorf("prompts %q", f.prompts)
	}
	if !slices.Contains(f.history, "status=404 | stats count as n") {
		t.Errorf("history %q", f.history)
	}

	// Without a model: how to configure one; .help ask.
	f = &fakeReader{lines: []string{".ask how many?", ".help ask"}}
	out = session(t, dbPath, f, func(r *REPL) {
		r.cfg.LLM = func() (*llm.Config, error) { return &llm.Config{}, nil }
	})
	if !strings.Contains(out, "no language model is configured: set LOGHUNT_LLM_URL") || !strings.Contains(out, ".ask [--yes] QUESTION\n  Asks the configured language model") {
		t.Errorf("no model:\n%s", out)
	}
}
