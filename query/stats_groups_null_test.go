package query

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"loghunt/store"
)

// naiveGroups counts rows and non-null x per combination of by-values,
// leaving out rows with a null by-value unless keepNull: an obviously
// correct map of the rendered keys.
func naiveGroups(rows [][]store.Value, nBy int, keepNull bool) map[string]string {
	type counts struct{ n, nx int }
	m := map[string]*counts{}
	for _, row := range rows {
		var key []string
		null := false
		for _, v := range row[:nBy] {
			null = null || v.IsNull()
			key = append(key, fmt.Sprintf("%d:%s", normKey(v).K, normKey(v).String()))
		}
		if null && !keepNull {
			continue
		}
		k := strings.Join(key, "|")
		if m[k] == nil {
			m[k] = &counts{}
		}
		m[k].n++
		if !row[nBy].IsNull() {
			m[k].nx++
		}
	}
	out := map[string]string{}
	for k, c := range m {
		out[k] = fmt.Sprintf("%d/%d", c.n, c.nx)
	}
	return out
}

// tableGroups renders a table's groups as naiveGroups does.
func tableGroups(t *testing.T, groups []*group) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, g := range groups {
		var key []string
		for _, v := range g.key {
			key = append(key, fmt.Sprintf("%d:%s", normKey(v).K, normKey(v).String()))
		}
		k := strings.Join(key, "|")
		if _, dup := out[k]; dup {
			t.Fatalf("two groups for %s", k)
		}
		out[k] = fmt.Sprintf("%v/%v", g.states[0].result(), g.states[1].result())
	}
	return out
}

// TestGroupTableNullByValues folds rows whose by-values are often null
// (runs of nulls, a null after a value, nulls in one of several fields)
// into one table and into workers' tables, and wants the counts of a map:
// rows with a null by-value belong to no group (the NULL group for
// timechart's keepNull). A null row once reused the group of the last
// row that had one.
func TestGroupTableNullByValues(t *testing.T) {
	opt := &Options{MaxGroups: 1 << 20, MaxAggBytes: 1 << 28}
	specs := []aggSpec{{fn: "count", out: "count"}, {fn: "count", field: "x", out: "count(x)"}}
	vals := []store.Value{store.Null, store.Null, store.Str("admin"), store.Str("root"), store.Int(10), store.Str("10"), store.Float(10)}
	for _, nBy := range []int{1, 2, 3} {
		for _, keepNull := range []bool{false, true} {
			r := rand.New(rand.NewPCG(uint64(nBy), 77))
			by := []string{"a", "b", "c"}[:nBy]
			one := newGroupTable(specs, by, opt)
			one.keepNull = keepNull
			workers := []*groupTable{one.spare(), one.spare(), one.spare()}
			var all [][]store.Value
			for range 200 {
				b := &Batch{Fields: append(append([]string{}, by...), "x"), Len: 1 + r.IntN(60)}
				b.Cols = make([][]store.Value, nBy+1)
				for r2 := 0; r2 < b.Len; r2++ {
					row := make([]store.Value, nBy+1)
					for i := range row {
						row[i] = vals[r.IntN(len(vals))]
						if r2 > 0 && r.IntN(3) == 0 {
							row[i] = b.Cols[i][r2-1] // runs of the same value, nulls included
						}
						b.Cols[i] = append(b.Cols[i], row[i])
					}
					all = append(all, row)
				}
				if err := one.add(b); err != nil {
					t.Fatal(err)
				}
				if err := workers[r.IntN(len(workers))].add(b); err != nil {
					t.Fatal(err)
				}
			}
			want := naiveGroups(all, nBy, keepNull)
			union, err := sortedUnion(workers)
			if err != nil {
				t.Fatal(err)
			}
			for name, groups := range map[string][]*group{"one table": one.sorted(), "workers' union": union} {
				if got := tableGroups(t, groups); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("by %d fields, keepNull %v, %s:\n got %v\nwant %v", nBy, keepNull, name, got, want)
				}
			}
		}
	}
}
