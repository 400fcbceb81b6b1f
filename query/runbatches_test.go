package query

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRunBatches checks the runner over another engine's rows against a
// plain run: a query split after stage k, its first k stages run on the
// store, their rows fed to RunBatches for the rest, gives the rows of the
// whole query run on the store.
func TestRunBatches(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(5, 6)), 3000), 500)
	now := time.Unix(0, base+7200e9).UTC()
	for _, q := range []string{
		`user=alice | stats count, sum(bytes) as b by status | sort -count | head 2`,
		`event | eval kb=bytes/1024 | where kb > 10 | stats avg(kb) by user`,
		`* | bin _time span=10m | stats count by _time | delta count as d | head 5`,
		`status=404 | dedup user | table _time, user, status`,
		`NOT user=bob | top user | eval x=percent*2`,
		`* | head 7 | stats count`,
		`user=carol`,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		want := collect(t, func(out func(*Batch) error) error {
			_, err := Run(context.Background(), s.DB, pq, Options{Now: now}, out)
			return err
		})
		for k := 0; k <= len(pq.Stages); k++ {
			var prefix *Query
			if k == 0 {
				// The rows of every event in the range; the runner applies the search.
				prefix, _ = Parse("*")
			} else {
				prefix = &Query{Stages: pq.Stages[:k]}
			}
			got := collect(t, func(out func(*Batch) error) error {
				_, err := RunBatches(context.Background(), nil, pq, k, func(push func(*Batch) error) error {
					_, err := Run(context.Background(), s.DB, prefix, Options{Now: now}, push)
					return err
				}, Options{Now: now}, out)
				return err
			})
			if !slices.Equal(got, want) {
				t.Errorf("%s split at %d:\n%s\nwant\n%s", q, k, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}

func TestRunBatchesNoStore(t *testing.T) {
	pq, _ := Parse(`* | join user [ search status=404 | stats count by user ]`)
	_, err := RunBatches(context.Background(), nil, pq, 1, func(push func(*Batch) error) error { return nil },
		Options{Now: time.Unix(0, base)}, func(*Batch) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "reads events itself") {
		t.Errorf("join without a store: %v", err)
	}
}

// collect renders the rows run hands out, a line per row.
func collect(t *testing.T, run func(out func(*Batch) error) error) []string {
	t.Helper()
	var rows []string
	err := run(func(b *Batch) error {
		for r := 0; r < b.Len; r++ {
			var parts []string
			for i, f := range b.Fields {
				if v := b.Cols[i][r]; !v.IsNull() {
					parts = append(parts, f+"="+v.String())
				}
			}
			slices.Sort(parts)
			rows = append(rows, strings.Join(parts, " "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
