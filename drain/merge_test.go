package drain

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestGeneralize(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"root", "root", "root"},
		{"root", "guest", "<*>"},
		{"user=root", "user=guest", "user=<*>"},
		{"user=<*>", "user=guest", "user=<*>"},
		{"(x)", "(y)", "(<*>)"},
		{"WindowsUpdateAgent.", "SPP.", "<*>."},
		{"a.log", "b.log", "<*>.log"},
		{"rooty", "root", "<*>"}, // no punctuation: no partial words
		{"<*>x", "<*>y", "<*>"},
		{"x<*>", "y<*>", "<*>"},
		{"w w x", "w w y", "<*>"}, // the rest of a line past MaxTokens
	}
	for _, c := range cases {
		if got := generalize(c.a, c.b); got != c.want {
			t.Errorf("generalize(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestVariableTokens(t *testing.T) {
	toks := strings.Fields("<*> close, <*> bytes (<*> KB) sent, lifetime <<*> sec <*>ms <*>mss KB <*>: user=<*> [<*>\\ <*>]")
	want := []bool{true, false, true, false, true, true, false, false, true, true, true, false, false, true, false, true, true}
	if got := variableTokens(toks, nil); !slices.Equal(got, want) {
		t.Errorf("variableTokens(%q)\n got %v\nwant %v", toks, got, want)
	}
	// a unit after a variable that ends in punctuation is a word: "<*>, s"
	toks = strings.Fields("<*>, s KB")
	if got, want := variableTokens(toks, nil), []bool{true, false, false}; !slices.Equal(got, want) {
		t.Errorf("variableTokens(%q) = %v, want %v", toks, got, want)
	}
}

func TestVariableRepeats(t *testing.T) {
	cases := []struct {
		in   string
		want []bool
	}{
		{"delete blk_<*> blk_<*> blk_<*>", []bool{false, false, true, true}},
		{"n node-<*> <*> <ok> node-<*> <*> <ok> x", []bool{false, false, true, false, true, true, true, false}},
		{"ok ok ok", []bool{false, false, false}}, // no <*>: words
		{"a=<*> b=<*> a=<*>", []bool{false, false, false}},
	}
	for _, c := range cases {
		if got := variableTokens(strings.Fields(c.in), nil); !slices.Equal(got, c.want) {
			t.Errorf("variableTokens(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	got := mineTemplates(DefaultConfig(), []string{
		"BLOCK* ask 10.250.18.114:50010 to delete  blk_-5140072410813878235",
		"BLOCK* ask 10.251.126.5:50010 to delete  blk_-9016567407076718172 blk_-8695715290502978219 blk_-7168328752988473716",
		"BLOCK* ask 10.251.126.6:50010 to delete  blk_-9016567407076718172 blk_-8695715290502978219",
	})
	if want := "BLOCK* ask <*> to delete blk_<*> <*>"; got[0] != want || got[1] != want || got[2] != want {
		t.Errorf("lists: %q, want %q", got, want)
	}
}

func TestMergeToken(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"x", "x", "x"},
		{"B,", "KB,", "<*>,"},
		{"(<*>", "<<*>", "<*>"},
		{"(x,", "(y,", "(<*>,"},
		{"<*>,", "<*>", "<*>"},
		{"'a'", "'b'", "'<*>'"},
	}
	for _, c := range cases {
		if got := mergeToken(c.a, c.b); got != c.want {
			t.Errorf("mergeToken(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

// TestMergeSkeleton checks that lines with a variable of several tokens,
// or none, share a template, and lines with other constants do not.
func TestMergeSkeleton(t *testing.T) {
	lines := []string{
		"proxy.example.com:5070 close, 0 bytes sent, 0 bytes received, lifetime 00:01",
		"10.0.0.1:443 close, 89652 bytes (87.5 KB) sent, 599249 bytes (585 KB) received, lifetime 37:51",
		"www.example.org:80 close, 466 bytes sent, 125682 bytes (122 KB) received, lifetime <1 sec",
		"10.0.0.2:443 close, 1891 bytes (1.84 KB) sent, 811 bytes received, lifetime 04:00",
		"Block b1 stored (estimated size 93.0 B, free 317.1 KB)",
		"Block b2 stored (estimated size 5.2 KB, free 5.2 KB)",
		"Block b3 stored (estimated size 8.8 KB, free 14.0 KB)",
		"Block b4 stored (estimated size 384.0 B, free 317.5 KB)",
		"Block b5 stored (estimated size 1.0 B, free 7.5 KB)",
		"Block b6 stored (estimated size 2.0 B, free 7.5 KB)",
		"en0: Supported channels 1 2 3 4",
		"en0: Supported channels 1 2 3 4 5 6",
		"wait 10 seconds",
		"wait 10 sec",
	}
	got := mineTemplates(DefaultConfig(), lines)
	close := "<*> close, <*> bytes <*> sent, <*> bytes <*> received, lifetime <*>"
	block := "Block <*> stored (estimated size <*> <*>, free <*> KB)"
	want := []string{close, close, close, close, block, block, block, block, block, block,
		"en0: Supported channels <*>", "en0: Supported channels <*>", "wait <*> seconds", "wait <*> sec"}
	if !slices.Equal(got, want) {
		t.Errorf("templates:\n got %q\nwant %q", got, want)
	}
	cfg := DefaultConfig()
	cfg.NoMerge = true
	if got := mineTemplates(cfg, lines); got[0] == got[1] || got[10] == got[11] {
		t.Errorf("NoMerge merged: %q", got)
	}
}

// TestMergeSibling checks that a first token of more than SplitMax dotted
// names is a variable, and one of plain words, or of few names, is not.
func TestMergeSibling(t *testing.T) {
	var lines []string
	for i, n := range []string{"com.apple.A.daily:", "com.apple.B.daily:", "com.apple.C:", "com.apple.D.hourly:", "org.x.E:"} {
		for j := range 3 {
			lines = append(lines, fmt.Sprintf("%s scheduler told me to run this job; start time isn't for %d seconds.", n, 10*i+j))
		}
	}
	for _, w := range []string{"boot", "wait", "halt", "risBoot", "clusterAddMember"} {
		lines = append(lines, w+"  (command 1902)", w+"  (command 1903)")
	}
	got := mineTemplates(DefaultConfig(), lines)
	sched := "<*>: scheduler told me to run this job; start time isn't for <*> seconds."
	for i := range 15 {
		if got[i] != sched {
			t.Errorf("line %d: %q, want %q", i, got[i], sched)
		}
	}
	for i, w := range []string{"boot", "wait", "halt", "risBoot", "clusterAddMember"} {
		if want := w + " (command <*>)"; got[15+2*i] != want || got[16+2*i] != want {
			t.Errorf("%s: %q, want %q", w, got[15+2*i:17+2*i], want)
		}
	}
	// four names, no more than SplitMax: constants
	got = mineTemplates(DefaultConfig(), lines[:12])
	if got[0] == got[3] || got[0] != "com.apple.A.daily: scheduler told me to run this job; start time isn't for <*> seconds." {
		t.Errorf("four names: %q", got[:4])
	}
}

// naiveMerge is mergeTemplates without hashing or union-find: it joins
// templates pair by pair until nothing changes, by the same two rules,
// and each set's text comes from the same merge functions. It checks
// the bucketing and the sets of mergeTemplates.
func naiveMerge(tmpls [][]string, many int) []string {
	n := len(tmpls)
	set := make([]int, n) // set[i]: smallest index of i's set
	for i := range set {
		set[i] = i
	}
	join := func(a, b int) {
		sa, sb := set[a], set[b]
		if sa == sb {
			return
		}
		lo, hi := min(sa, sb), max(sa, sb)
		for i := range set {
			if set[i] == hi {
				set[i] = lo
			}
		}
	}
	equal := func(a, b []string) bool { return slices.Equal(a, b) }
	for i := range n {
		for p := range tmpls[i] {
			var same []int
			distinct := map[string]bool{}
			names := true
			for j := range n {
				if len(tmpls[j]) != len(tmpls[i]) || !sameExcept(tmpls[i], tmpls[j], p) {
					continue
				}
				same = append(same, j)
				distinct[tmpls[j][p]] = true
				names = names && nameLike(tmpls[j][p])
			}
			constant := 0
			for q, t := range tmpls[i] {
				if q != p && !strings.Contains(t, Wild) {
					constant++
				}
			}
			if many > 0 && len(tmpls[i]) >= 2 && constant > 0 && len(distinct) > many && names {
				for _, j := range same {
					join(i, j)
				}
			}
		}
	}
	// the sets' templates, the distinct ones of a set in order
	merged := map[int][]string{}
	for s := range n {
		var members [][]string
		for i := range n {
			if set[i] == s && !slices.ContainsFunc(members, func(m []string) bool { return equal(m, tmpls[i]) }) {
				members = append(members, tmpls[i])
			}
		}
		if len(members) == 0 {
			continue
		}
		idx := make([]int, len(members))
		for i := range idx {
			idx[i] = i
		}
		merged[s] = mergeSameLength(members, idx)
	}
	skel := func(toks []string) string {
		var b strings.Builder
		for i, v := range variableTokens(toks, nil) {
			if !v {
				b.WriteString(toks[i] + "\x00")
			}
		}
		return b.String()
	}
	skels := map[int]string{}
	for s, m := range merged {
		skels[s] = skel(m)
	}
	out := make([]string, n)
	for i := range n {
		var roots [][]string
		for s := range n {
			m, ok := merged[s]
			if ok && !(len(m) == 1 && m[0] == Overflow) && skels[s] == skels[set[i]] {
				roots = append(roots, m)
			}
		}
		switch {
		case len(merged[set[i]]) == 1 && merged[set[i]][0] == Overflow || len(roots) == 1:
			out[i] = strings.Join(merged[set[i]], " ")
		default:
			idx := make([]int, len(roots))
			for k := range idx {
				idx[k] = k
			}
			out[i] = strings.Join(mergeSkeletons(roots, idx), " ")
		}
	}
	return out
}

// TestMergeOracle compares mergeTemplates with naiveMerge on the
// templates Drain mines, before merging, from the loghub samples.
func TestMergeOracle(t *testing.T) {
	for _, s := range loghubSettings {
		d := readLoghubTruth(t, s.name, false)
		cfg := DefaultConfig()
		cfg.NoMerge = true
		m := New(cfg)
		for _, l := range d.content {
			m.Add(l)
		}
		var tmpls [][]string
		for g := range m.Len() {
			tmpls = append(tmpls, strings.Split(m.Template(g), " "))
		}
		got, want := mergeTemplates(tmpls, cfg.SplitMax), naiveMerge(tmpls, cfg.SplitMax)
		if !slices.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: template %d %q: merged %q, naive %q", s.name, i, tmpls[i], got[i], want[i])
					break
				}
			}
		}
	}
}

// TestMergeOracleRandom compares mergeTemplates with naiveMerge on
// random templates of few tokens from a small vocabulary of names, plain
// words, units and <*>, so that every rule meets its exceptions: names
// beside a word at one position, units after a variable, lists.
func TestMergeOracleRandom(t *testing.T) {
	vocab := []string{"a.b", "c.d", "e/f", "g_h", "i.j", "k.l", "m.n", "word", "other", "KB", "(<*>", "<*>", "x=<*>", "<*>,", "end."}
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 30 {
		seen := map[string]bool{}
		var tmpls [][]string
		for len(tmpls) < 200 {
			n := 2 + r.IntN(4)
			toks := make([]string, n)
			for j := range toks {
				toks[j] = vocab[r.IntN(len(vocab))]
			}
			if k := strings.Join(toks, " "); !seen[k] {
				seen[k] = true
				tmpls = append(tmpls, toks)
			}
		}
		for _, many := range []int{0, 2, 4} {
			got, want := mergeTemplates(tmpls, many), naiveMerge(tmpls, many)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("round %d, many %d: template %q: merged %q, naive %q", round, many, tmpls[i], got[i], want[i])
				}
			}
		}
	}
}
