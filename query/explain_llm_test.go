package query

import (
	"errors"
	"strings"
	"testing"
)

// TestExplainLLMOptions: llm= and show_prompt= are true or false,
// show_prompt goes with llm, and the errors point at the option.
func TestExplainLLMOptions(t *testing.T) {
	for _, q := range []string{"* | explain llm=true", "* | explain by src_ip llm=true show_prompt=true", "* | explain llm=false"} {
		pq, err := Parse(q)
		if err != nil || !strings.HasSuffix(pq.String(), strings.TrimPrefix(q, "* ")) {
			t.Errorf("%s: %v %v", q, pq, err)
		}
	}
	for q, want := range map[string]string{
		"* | explain llm=maybe":                  "llm must be true or false, not \"maybe\"",
		"* | explain by src_ip show_prompt=true": "show_prompt=true goes with llm=true",
		"* | explain model=x":                    "unknown option \"model\" for explain",
	} {
		_, err := Parse(q)
		var qe *Error
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
			continue
		}
		if strings.HasPrefix(want, "llm must") && qe.Col != strings.Index(q, "maybe")+1 {
			t.Errorf("%s: error at column %d, want %d", q, qe.Col, strings.Index(q, "maybe")+1)
		}
	}
}
