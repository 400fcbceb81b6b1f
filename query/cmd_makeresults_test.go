package query

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestMakeresults: count rows of _time = now(), without reading a chunk,
// and only as the first stage.
func TestMakeresults(t *testing.T) {
	cs := excerptStore(t)
	s := &testStore{cs.DB, t}
	newest := s.run(`* | stats max(_time) as t`)[1][0]
	rows := s.run(`| makeresults count=3 | eval n = 1 | streamstats count as i`)
	if fmt.Sprint(rows) != fmt.Sprintf("[[_time n i] [%s 1 1] [%s 1 2] [%s 1 3]]", newest, newest, newest) {
		t.Errorf("rows %q", rows)
	}
	if got := s.run(`| makeresults`); len(got) != 2 || got[1][0] != newest {
		t.Errorf("default count: %q", got)
	}
	cs.scans = nil
	pq, _ := Parse(`| makeresults count=5000 | stats count`)
	var out string
	st, err := Run(context.Background(), cs, pq, Options{Now: time.Unix(1e9, 0)}, func(b *Batch) error {
		out = b.Get("count", 0).String()
		return nil
	})
	if err != nil || out != "5000" || st.ChunksRead != 0 || len(cs.scans) != 0 {
		t.Errorf("count %s, %d chunks read, %d scans, err %v", out, st.ChunksRead, len(cs.scans), err)
	}
	stageErrors(t, map[string]string{
		`* | makeresults`:             "it must be the first stage",
		`| eval x = 1 | makeresults`:  "it must be the first stage",
		`error | makeresults`:         "it must be the first stage",
		`| makeresults count=0`:       "count must be a whole number of at least 1",
		`| makeresults count=2000000`: "count must be at most 1000000",
		`| makeresults annotate=true`: `unknown option "annotate" for makeresults`,
		`| makeresults | makeresults`: "it must be the first stage",
	})
}
