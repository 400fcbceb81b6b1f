package query

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestReverseOnRealLog: reverse gives the rows of a real web log last
// first, after any stage, and holds no more rows than a blocking stage may.
func TestReverseOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	for _, q := range []string{`* | table _time, clientip, path`, `* | stats count by clientip`, `* | where status >= 400 | table _time, path`} {
		plain := s.run(q)
		rev := s.run(q + ` | reverse`)
		want := slices.Clone(plain[1:])
		slices.Reverse(want)
		if !slices.EqualFunc(rev[1:], want, slices.Equal) || len(want) < 10 {
			t.Errorf("%s | reverse: %d rows, not the %d reversed", q, len(rev)-1, len(want))
		}
	}
	if got := s.run(`* | reverse | head 1 | table _time`); got[1][0] != s.run(`* | stats max(_time) as t`)[1][0] {
		t.Errorf("newest first: %q", got)
	}
	pq, _ := Parse(`* | reverse`)
	_, err := Run(context.Background(), s.DB, pq, Options{MaxRows: 100}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "reverse would hold more than 100 rows") {
		t.Errorf("err %v", err)
	}
	stageErrors(t, map[string]string{`* | reverse x`: "unexpected"})
}
