package query

import (
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

type explainSink struct{ batches []*Batch }

func (c *explainSink) push(b *Batch) error { c.batches = append(c.batches, b); return nil }
func (c *explainSink) finish() error       { return nil }

// TestExplainWords: the account of one address's errors against its own
// usual (it has 10 rows), of another's against every row's (it has one),
// the suggestion for web errors, and null for the rows not flagged.
func TestExplainWords(t *testing.T) {
	t0 := time.Date(2025, 3, 6, 21, 0, 0, 0, time.UTC).UnixNano()
	b := &Batch{Fields: []string{"_time", "clientip", "errors", "is_anomaly"}}
	var rows [][]store.Value
	add := func(slot int, ip string, n int64, flag bool) {
		rows = append(rows, []store.Value{store.Time(t0 + int64(slot)*int64(5*time.Minute)), store.Str(ip), store.Int(n), store.Bool(flag)})
	}
	for i := range 10 {
		add(i, "10.0.0.5", int64(2+i%3), false) // 2,3,4,...: median 3
	}
	add(3, "10.0.0.5", 48, true)
	add(4, "192.0.2.45", 360, true)
	for i := range 6 {
		add(i, "10.0.0.9", 1, false)
	}
	b.Cols = make([][]store.Value, 4)
	for _, r := range rows {
		for k := range r {
			b.Cols[k] = append(b.Cols[k], r[k])
		}
	}
	b.Len = len(rows)
	out := &explainSink{}
	op := &explainOp{by: "clientip", search: "status>=400", next: out, max: 1000}
	if err := op.push(b); err != nil {
		t.Fatal(err)
	}
	if err := op.finish(); err != nil {
		t.Fatal(err)
	}
	got := out.batches[0]
	want := map[int]string{
		10: "10.0.0.5 had 48 web errors in 5 minutes at 21:15 on 2025-03-06, about 16 times its usual 3. Next: check the paths requested and their status codes.",
		11: "192.0.2.45 had 360 web errors in 5 minutes at 21:20 on 2025-03-06, about 180 times the usual 2 (the median of all rows). Next: check the paths requested and their status codes.",
	}
	for r := 0; r < got.Len; r++ {
		v := got.Get(ExplanationField, r)
		if w, ok := want[r]; ok {
			if v.String() != w {
				t.Errorf("row %d:\n got %q\nwant %q", r, v.String(), w)
			}
		} else if !v.IsNull() {
			t.Errorf("row %d is not flagged but got %q", r, v.String())
		}
	}
}

func TestExplainParse(t *testing.T) {
	for _, q := range []string{"* | explain", "* | explain by src_ip"} {
		pq, err := Parse(q)
		if err != nil || !strings.HasSuffix(pq.String(), strings.TrimPrefix(q, "* ")) {
			t.Errorf("%s: %v %v", q, pq, err)
		}
	}
	if _, err := Parse("* | explain src_ip"); err == nil {
		t.Errorf("explain src_ip parsed")
	}
}
