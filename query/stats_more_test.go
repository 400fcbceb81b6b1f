package query

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// TestMoreAggsOnRealLog: list, mode, estdc, earliest_time, latest_time,
// rate, upperperc and exactperc by client of a real web log, each against
// a brute-force computation over the rows, at 1 and 4 workers.
func TestMoreAggsOnRealLog(t *testing.T) {
	s := excerptDB(t, webExcerpt)
	rows := s.run(`* | table _time, clientip, bytes, status, path`)
	got := s.atProcs(`* | stats list(path) as l, mode(status) as m, estdc(path) as e, dc(path) as d, earliest_time(bytes) as et, latest_time(bytes) as lt, rate(bytes) as r, upperperc90(bytes) as u, exactperc90(bytes) as x, perc90(bytes) as p by clientip`, 1, 4)
	type row struct{ tm, path, status, bytes string }
	by := map[string][]row{}
	for r := 1; r < len(rows); r++ {
		ip := cell(rows, r, "clientip")
		by[ip] = append(by[ip], row{cell(rows, r, "_time"), cell(rows, r, "path"), cell(rows, r, "status"), cell(rows, r, "bytes")})
	}
	if len(got)-1 != len(by) {
		t.Fatalf("%d groups, want %d", len(got)-1, len(by))
	}
	capped := 0
	for g := 1; g < len(got); g++ {
		ip := cell(got, g, "clientip")
		rs := by[ip]
		// list: the first 100 paths by time, then path
		items := slices.Clone(rs)
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].tm != items[j].tm {
				return items[i].tm < items[j].tm
			}
			return items[i].path < items[j].path
		})
		var paths []string
		for _, it := range items[:min(len(items), 100)] {
			paths = append(paths, it.path)
		}
		if len(items) > 100 {
			capped++
		}
		want := map[string]string{"l": strings.Join(paths, "\n")}
		// mode: the most common status, the smallest of ties
		counts := map[string]int{}
		distinct := map[string]bool{}
		var nums []float64
		type tv struct {
			t string
			f float64
		}
		var withBytes []tv
		for _, r := range rs {
			counts[r.status]++
			distinct[r.path] = true
			if r.bytes != "" {
				f, _ := strconv.ParseFloat(r.bytes, 64)
				nums = append(nums, f)
				withBytes = append(withBytes, tv{r.tm, f})
			}
		}
		best := ""
		for st, c := range counts {
			if c > counts[best] || c == counts[best] && st < best {
				best = st
			}
		}
		want["m"] = best
		want["e"] = strconv.Itoa(len(distinct))
		want["d"] = want["e"]
		want["et"], want["lt"], want["r"], want["u"] = "", "", "", ""
		if len(withBytes) > 0 {
			sort.Slice(withBytes, func(i, j int) bool {
				if withBytes[i].t != withBytes[j].t {
					return withBytes[i].t < withBytes[j].t
				}
				return withBytes[i].f < withBytes[j].f
			})
			first, last := withBytes[0], withBytes[len(withBytes)-1]
			want["et"], want["lt"] = first.t, last.t
			t0, _ := time.Parse(time.RFC3339, first.t)
			t1, _ := time.Parse(time.RFC3339, last.t)
			if len(withBytes) >= 2 && t1.After(t0) {
				want["r"] = store.FormatFloat((last.f - first.f) / t1.Sub(t0).Seconds())
			}
			slices.Sort(nums)
			want["u"] = store.FormatFloat(nums[int(math.Ceil(0.9*float64(len(nums)-1)))])
		}
		for k, w := range want {
			if c := cell(got, g, k); c != w {
				t.Errorf("%s %s = %q, want %q", ip, k, c, w)
			}
		}
		if cell(got, g, "x") != cell(got, g, "p") {
			t.Errorf("%s exactperc90 %s, perc90 %s", ip, cell(got, g, "x"), cell(got, g, "p"))
		}
		if u, p := cell(got, g, "u"), cell(got, g, "p"); u != "" {
			uf, _ := strconv.ParseFloat(u, 64)
			pf, _ := strconv.ParseFloat(p, 64)
			if uf < pf {
				t.Errorf("%s upperperc90 %v below perc90 %v", ip, uf, pf)
			}
		}
	}
	if capped == 0 {
		t.Errorf("no client has more than 100 rows: the cap is not shown")
	}
	stageErrors(t, map[string]string{
		`* | stats upperpercx(bytes)`: `unknown aggregate "upperpercx"`,
		`* | stats list`:              "list needs a field",
		`* | stats upperperc101(a)`:   `unknown aggregate "upperperc101"`,
	})
}

// TestEstdcAccuracy: over 120,000 events in 40 chunks with about 70,000
// distinct values, estdc is within 3% of dc (the exact count), and the
// same at 1, 2 and 4 workers; groups of at most 2048 values are exact.
func TestEstdcAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	s := newTestStore(t)
	evs := make([]store.Event, 120_000)
	for i := range evs {
		g := "big"
		v := "v" + strconv.Itoa(r.IntN(100_000))
		if i%10 == 0 {
			g, v = "small", "s"+strconv.Itoa(r.IntN(1500))
		}
		evs[i] = store.Event{Time: base + int64(i)*1e9, Raw: v,
			Fields: []store.Field{{Name: "g", Value: store.Str(g)}, {Name: "v", Value: store.Str(v)}}}
	}
	s.add("hll", evs, 3000)
	got := s.atProcs(`* | stats estdc(v) as e, dc(v) as d by g`, 1, 2, 4)
	if fmt.Sprint(got[0]) != "[g e d]" || len(got) != 3 {
		t.Fatalf("%q", got)
	}
	for _, row := range got[1:] {
		e, _ := strconv.ParseFloat(row[1], 64)
		d, _ := strconv.ParseFloat(row[2], 64)
		switch row[0] {
		case "big":
			if d < 60_000 || math.Abs(e-d)/d > 0.03 {
				t.Errorf("big: estdc %v, dc %v (%.2f%% off)", e, d, 100*math.Abs(e-d)/d)
			}
			t.Logf("estdc %v, dc %v: %.2f%% off", e, d, 100*(e-d)/d)
		case "small":
			if e != d {
				t.Errorf("small: estdc %v, dc %v", e, d)
			}
		}
	}
}

// TestEstdcAcrossSizes: the estimate stays within 3% of the true count
// from where the exact set ends, through linear counting and its switch
// to the raw estimate, to a million values, merged from parts as the
// workers' tables are.
func TestEstdcAcrossSizes(t *testing.T) {
	for _, n := range []int{2049, 5000, 20_000, 45_000, 49_000, 55_000, 80_000, 200_000, 1_000_000} {
		parts := []*estdcAgg{{exact: map[uint64]struct{}{}}, {exact: map[uint64]struct{}{}}, {exact: map[uint64]struct{}{}}}
		for i := range n {
			parts[i%3].add(store.Str("user"+strconv.Itoa(i)), 0)
		}
		a := &estdcAgg{exact: map[uint64]struct{}{}}
		for _, p := range parts {
			mergeAgg(a, p)
		}
		e := float64(a.result().I)
		if off := math.Abs(e-float64(n)) / float64(n); off > 0.03 {
			t.Errorf("n %d: estdc %v (%.2f%% off)", n, e, 100*off)
		}
	}
}
