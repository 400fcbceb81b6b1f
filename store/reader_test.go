package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// selectChunk builds one chunk of random events: a user and a path that
// also appear in _raw (so the chunk cuts them out of its _raw blocks), a
// status stored as ints, a sometimes-missing text field, and words.
func selectChunk(t *testing.T, r *rand.Rand, n int) (*Chunk, []Event) {
	t.Helper()
	users := []string{"root", "admin", "Alice", "bob", "nan", "10"}
	paths := []string{"/wp-login.php", "/index.html", "/api/v1/login", ""}
	words := []string{"Failed", "password", "Accepted", "session", "opened", "wp-login", "x86_64"}
	b := NewChunkBuilder("src", "test", "key:src")
	var evs []Event
	for i := range n {
		u, p := users[r.IntN(len(users))], paths[r.IntN(len(paths))]
		var sb strings.Builder
		fmt.Fprintf(&sb, "%d %s user=%s path=%s", i, words[r.IntN(len(words))], u, p)
		for range r.IntN(4) {
			sb.WriteString(" " + words[r.IntN(len(words))])
		}
		fs := []Field{{"user", Str(u)}, {"path", Str(p)}, {"status", Int(int64([]int{200, 404, 500}[r.IntN(3)]))}}
		if r.IntN(3) == 0 {
			fs = append(fs, Field{"note", Str(words[r.IntN(len(words))])})
		}
		ev := Event{Time: int64(r.IntN(n)) * 1e9, Raw: sb.String(), Fields: fs}
		evs = append(evs, ev)
		b.Add(&ev)
	}
	enc := b.Encode()
	c, err := parseChunk(1, enc.Blob)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return cmpInt64(a.Time, b.Time) })
	return c, evs
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// randomFilter builds a random filter tree of depth up to d.
func randomFilter(r *rand.Rand, d int) *Filter {
	leaves := []func() *Filter{
		func() *Filter {
			return Word([]string{"failed", "PASSWORD", "wp-login", "login", "fail*", "*ssion", "x86_64", "nothing"}[r.IntN(8)])
		},
		func() *Filter {
			return Phrase([]string{"Failed password", "user=root", "wp-login.php", "path=/api", "user=nan path", "=", "opened session"}[r.IntN(7)])
		},
		func() *Filter {
			want := []string{"root", "ADMIN", "nan", "10", "zed"}[r.IntN(5)]
			f := FieldTest("user", func(v Value) bool { return strings.EqualFold(v.String(), want) })
			if want == "10" && r.IntN(2) == 0 {
				f.Cmp, f.Num = "=", 10
			}
			return f
		},
		func() *Filter {
			n := float64([]int{200, 404, 450, 500, 600}[r.IntN(5)])
			op := []string{"=", "<", "<=", ">", ">="}[r.IntN(5)]
			f := FieldTest("status", func(v Value) bool {
				x, ok := v.Number()
				if !ok {
					return false
				}
				switch op {
				case "=":
					return x == n
				case "<":
					return x < n
				case "<=":
					return x <= n
				case ">":
					return x > n
				}
				return x >= n
			})
			f.Cmp, f.Num = op, n
			return f
		},
		func() *Filter { return FieldTest("note", func(v Value) bool { return v.String() != "session" }) },
		func() *Filter { return FieldTest("missing", func(v Value) bool { return true }) },
		func() *Filter { return FieldTest("source", func(v Value) bool { return v.String() == "src" }) },
		func() *Filter { return &Filter{Kind: FilterAll} },
	}
	if d == 0 || r.IntN(3) == 0 {
		return leaves[r.IntN(len(leaves))]()
	}
	switch r.IntN(3) {
	case 0:
		return Not(randomFilter(r, d-1))
	case 1:
		return And(randomFilter(r, d-1), randomFilter(r, d-1), randomFilter(r, d-1))
	}
	return Or(randomFilter(r, d-1), randomFilter(r, d-1))
}

// TestSelectMatchesRowByRow is the oracle of Chunk.Select's fast paths
// (token filters of _raw blocks, phrase search of whole blocks and of
// blocks with cut fields, dictionary tables, the order of tests): on
// random chunks, time ranges and filters it selects exactly the rows that
// Filter.MatchRow, row at a time, accepts, and gives back their values.
func TestSelectMatchesRowByRow(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for round := range 40 {
		c, evs := selectChunk(t, r, 200+r.IntN(3000))
		for q := range 60 {
			f := randomFilter(r, 3)
			lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
			if q%3 == 0 {
				lo = int64(r.IntN(len(evs))) * 1e9
				hi = lo + int64(r.IntN(len(evs)))*1e9
			}
			if q%7 == 0 {
				for len(rawArenas) > 0 { // a fresh arena
					<-rawArenas
				}
			}
			var want []string
			for _, e := range evs {
				get := func(name string) Value {
					if name == "source" {
						return Str("src")
					}
					for _, fl := range e.Fields {
						if fl.Name == name {
							return fl.Value
						}
					}
					return Null
				}
				if e.Time >= lo && e.Time <= hi && f.MatchRow(e.Raw, get) {
					want = append(want, e.Raw)
				}
			}
			rows, err := c.Select(f, lo, hi, SelectOptions{Borrow: q%2 == 0, Reuse: q%4 == 1})
			if err != nil {
				t.Fatal(err)
			}
			raws, err := rows.Values(ColRaw)
			if err != nil {
				t.Fatal(err)
			}
			users, err := rows.Values("user")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, v := range raws {
				got = append(got, v.S)
				if !strings.Contains(v.S, "user="+users[i].S+" ") {
					t.Fatalf("round %d: row %d user %q, raw %q", round, i, users[i].S, v.S)
				}
			}
			if rows.Len() != len(got) || !slices.Equal(got, want) {
				t.Fatalf("round %d filter %s: %d rows (Len %d), want %d\n got %q\nwant %q", round, describeFilter(f),
					len(got), rows.Len(), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
			}
			rows.Release()
		}
	}
}

// TestSelectNoMatchFreshArena: a filter that selects no row of a chunk
// selects none even when the arena is new (an empty selection once read
// as "every row" when the arena had never held one).
func TestSelectNoMatchFreshArena(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	c, _ := selectChunk(t, r, 500)
	status := func(op string, n float64) *Filter {
		f := FieldTest("status", func(v Value) bool { x, _ := v.Number(); return op == "=" && x == n || op == ">" && x > n })
		f.Cmp, f.Num = op, n
		return f
	}
	for _, f := range []*Filter{status("=", 999), Or(FieldTest("user", func(v Value) bool { return v.S == "nobody" }), status("=", 999)), status(">", 900)} {
		for len(rawArenas) > 0 {
			<-rawArenas
		}
		rows, err := c.Select(f, math.MinInt64, math.MaxInt64, SelectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rows.Len() != 0 {
			t.Errorf("%s: %d rows, want none", describeFilter(f), rows.Len())
		}
		rows.Release()
	}
}

func describeFilter(f *Filter) string {
	switch f.Kind {
	case FilterWord, FilterPhrase:
		return fmt.Sprintf("%q", f.Text)
	case FilterField:
		return f.Field + f.Cmp
	case FilterAll:
		return "*"
	}
	var parts []string
	for _, a := range f.Args {
		parts = append(parts, describeFilter(a))
	}
	return [...]string{"", "AND", "OR", "NOT"}[f.Kind] + "(" + strings.Join(parts, " ") + ")"
}
