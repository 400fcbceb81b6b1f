package drain

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestMaskVariables(t *testing.T) {
	cases := []struct{ in, want string }{
		{"no variables here", "no variables here"},
		{"Failed password for root from 10.0.0.1 port 22 ssh2", "Failed password for root from <*> port <*> ssh2"},
		{"connect to 192.168.1.20:8080 failed", "connect to <*> failed"},
		{"rhost=218.188.2.4 uid=0", "rhost=<*> uid=<*>"},
		{"addr 0x7fff5fbff8a8, flags 0XFF", "addr <*>, flags <*>"},
		{"req 123e4567-e89b-12d3-a456-426614174000 done", "req <*> done"},
		{"commit 3f2a9c1e8b7d", "commit <*>"},
		{"word deadbeefcafe stays", "word deadbeefcafe stays"},
		{"mac 00:1a:2b:3c:4d:5e ip6 fe80::1:2:3", "mac <*> ip6 <*>"},
		{"took 10ms, size 64KB", "took <*>ms, size <*>KB"},
		{"5e3 1a2b host01 v1.2 core.42 ratio=0.5", "5e3 1a2b host01 v1.2 core.<*> ratio=<*>"},
		{"at 2025-03-06T10:42:07.123Z until 10:42:07", "at <*>Z until <*>"},
		{"at Fri Jul  1 07:57:30 2005", "at <*> <*>  <*> <*> <*>"},
		{"Mayday Monday", "Mayday Monday"},
		{"sshd[1234]: blk_-1608999687919862906 x=-5 +7", "sshd[<*>]: blk_<*> x=<*> <*>"},
		{"end of sentence 42.", "end of sentence <*>."},
		{"trailing colon 1:2:3:", "trailing colon <*>:"},
		{"naïve9 9naïve", "naïve9 9naïve"},
		{"proxy.cse.cuhk.edu.hk:5070 open through proxy www.google.com:443 HTTPS", "<*> open through proxy <*> HTTPS"},
		{"Resolved MSRA-SA-39.fareast.corp.microsoft.com to /default-rack", "Resolved <*> to /default-rack"},
		{"csdnimg.cn:80 close; see https://example.org/x, mail bob@mail.example.de.", "<*> close; see https://<*>/x, mail bob@<*>."},
		{"at Foo.java:42 in org.apache.hadoop.Foo com.apple.xpc.launchd", "at Foo.java:<*> in org.apache.hadoop.Foo com.apple.xpc.launchd"},
		{"state.clipTopAmount:180 archive.tar.gz a.b.js x.internal", "state.clipTopAmount:<*> archive.tar.gz a.b.js <*>"},
		{"-bad-.com host-.net", "-bad-.com host-.net"},
		{"Session: 30546174_3296323778 initialized, rdd_2_0 x_1", "Session: <*> initialized, rdd_<*> x_<*>"},
		{"", ""},
	}
	for _, c := range cases {
		if got := MaskVariables(c.in); got != c.want {
			t.Errorf("MaskVariables(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitTokens(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want []string
	}{
		{"  a b\tc\n", 10, []string{"a", "b", "c"}},
		{"a\u00a0b\u2003c", 10, []string{"a", "b", "c"}},
		{"a b c d e", 3, []string{"a", "b", "c d e"}},
		{"a b c   ", 3, []string{"a", "b", "c"}},
		{"   ", 3, nil},
		{"\xff\xfe x", 3, []string{"\xff\xfe", "x"}},
	}
	for _, c := range cases {
		if got := splitTokens(nil, c.in, c.max); !slices.Equal(got, c.want) {
			t.Errorf("splitTokens(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tmpl := []string{"a", "<*>", "c", "d"}
	cases := []struct {
		line        []string
		countMasked bool
		sim         float64
		wild        int
	}{
		{[]string{"a", "x", "c", "d"}, false, 0.75, 1},
		{[]string{"a", "<*>", "c", "x"}, false, 0.5, 1},
		{[]string{"a", "<*>", "c", "x"}, true, 0.75, 1},
		{[]string{"a", "x", "c", "x"}, true, 0.5, 1},
	}
	for _, c := range cases {
		sim, wild := similarity(tmpl, c.line, c.countMasked)
		if sim != c.sim || wild != c.wild {
			t.Errorf("similarity(%q, %q, %v) = %v, %d; want %v, %d", tmpl, c.line, c.countMasked, sim, wild, c.sim, c.wild)
		}
	}
	if sim, _ := similarity(nil, nil, false); sim != 1 {
		t.Errorf("similarity of empty lines = %v, want 1", sim)
	}
}

// drainTemplates mines lines and returns each line's final template.
func drainTemplates(cfg Config, lines ...string) []string {
	return mineTemplates(cfg, lines)
}

func TestDrainTemplates(t *testing.T) {
	cfg := DefaultConfig()
	got := drainTemplates(cfg,
		"Failed password for root from 10.0.0.1 port 22 ssh2",
		"Failed password for admin from 10.0.0.2 port 2222 ssh2",
		"Accepted password for alice from 10.0.0.3 port 22 ssh2",
		"Failed password for invalid user bob from 10.0.0.4 port 22 ssh2",
		"session opened",
		"session closed",
		"",
		"",
	)
	want := []string{
		"Failed password for <*> from <*> port <*> ssh2",
		"Failed password for <*> from <*> port <*> ssh2",
		"Accepted password for alice from <*> port <*> ssh2",
		"Failed password for invalid user bob from <*> port <*> ssh2",
		"session opened", // 1 of 2 tokens agree: below st 0.7
		"session closed",
		"",
		"",
	}
	if !slices.Equal(got, want) {
		t.Errorf("templates:\n got %q\nwant %q", got, want)
	}
}

func TestDrainThreshold(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mask, cfg.Sim = nil, 0.5
	// 2 of 4 tokens agree: 0.5 joins.
	got := drainTemplates(cfg, "a b c d", "a b x y")
	if got[0] != "a b <*> <*>" || got[1] != got[0] {
		t.Errorf("st 0.5: %q", got)
	}
	cfg.Sim = 0.6
	got = drainTemplates(cfg, "a b c d", "a b x y")
	if got[0] != "a b c d" || got[1] != "a b x y" {
		t.Errorf("st 0.6: %q", got)
	}
}

func TestDrainTree(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mask, cfg.Sim, cfg.Depth, cfg.SplitMax = nil, 0.1, 5, 0
	d := New(cfg)
	// Different token counts or first tokens never share a cluster,
	// however similar; tokens with digits route through <*>.
	ids := []int{
		d.Add("a b c"), d.Add("a b c d"), d.Add("x b c"),
		d.Add("a1 b c"), d.Add("a2 b c"), // both under <*>: one cluster
		d.Add("a y c"), // second layer differs: another leaf
	}
	if want := []int{0, 1, 2, 3, 3, 4}; !slices.Equal(ids, want) {
		t.Errorf("clusters %v, want %v", ids, want)
	}
	if got := d.Template(3); got != "<*> b c" {
		t.Errorf("template %q", got)
	}
	if d.Size(3) != 2 || d.Len() != 5 {
		t.Errorf("size %d, clusters %d", d.Size(3), d.Len())
	}
}

func TestDrainMaxChild(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mask, cfg.MaxChild, cfg.Depth, cfg.Sim, cfg.SplitMax = nil, 3, 4, 0.5, 0
	d := New(cfg)
	// Two first tokens get nodes; the third place is kept for <*>, where
	// every later first token goes.
	for _, w := range []string{"a", "b", "c", "d", "e"} {
		d.Add(w + " same tail")
	}
	root := d.byLen[3]
	if len(root.children) != 3 || root.children[Wild] == nil {
		t.Fatalf("children %v", root.children)
	}
	if got := d.Template(2); got != "<*> same tail" || d.Size(2) != 3 {
		t.Errorf("template %q size %d", got, d.Size(2))
	}
}

func TestDrainOverflow(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Mask, cfg.MaxClusters = nil, 3
	d := New(cfg)
	var ids []int
	for _, l := range []string{"a", "b c", "d e f", "g h i j", "k l m n o", "a"} {
		ids = append(ids, d.Add(l))
	}
	if want := []int{0, 1, 2, 3, 3, 0}; !slices.Equal(ids, want) {
		t.Errorf("clusters %v, want %v", ids, want)
	}
	if d.Template(3) != Overflow || d.Size(3) != 2 {
		t.Errorf("overflow %q size %d", d.Template(3), d.Size(3))
	}
}

func TestDrainMaxTokens(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxTokens = 4
	long := strings.Repeat("w ", 1000)
	got := drainTemplates(cfg, long+"x", long+"y", "a b c")
	if got[0] != "w w w <*>" || got[1] != got[0] || got[2] != "a b c" {
		t.Errorf("templates %q", got)
	}
}

// TestDrainDeterministic mines the same lines twice and in a fresh miner.
func TestDrainDeterministic(t *testing.T) {
	var lines []string
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("user u%d from 10.0.%d.%d op %s", i%7, i%5, i%250, []string{"read", "write", "delete"}[i%3]))
	}
	a := mineTemplates(DefaultConfig(), lines)
	b := mineTemplates(DefaultConfig(), lines)
	if !slices.Equal(a, b) {
		t.Error("two runs differ")
	}
}

func FuzzDrain(f *testing.F) {
	f.Add("Failed password for root from 10.0.0.1 port 22 ssh2", "session opened for user 0x1f", 3)
	f.Add("", " \t ", 1)
	f.Add("a 1:2:3:4: ff:ff::1 2025-03-06T10:00:00Z", "123e4567-e89b-12d3-a456-426614174000 \xff", 2)
	f.Fuzz(func(t *testing.T, a, b string, max int) {
		cfg := DefaultConfig()
		cfg.MaxClusters, cfg.MaxTokens, cfg.MaxChild = max%5, max%7, max%4
		d := New(cfg)
		for _, l := range []string{a, b, a + " " + b, b, a} {
			c := d.Add(l)
			if c < 0 || c >= d.Len() {
				t.Fatalf("cluster %d of %d", c, d.Len())
			}
			_ = d.Template(c)
		}
		if m := MaskVariables(a); strings.Count(m, Wild) == 0 && m != a {
			t.Fatalf("mask changed %q to %q without a <*>", a, m)
		}
	})
}

// TestDrainSplit checks the columns that split a cluster: few distinct
// tokens, each seen about twice or more, none masked.
func TestDrainSplit(t *testing.T) {
	var lines []string
	for i := range 6 {
		client := []string{"WindowsUpdateAgent.", "SPP."}[i%3/2]
		lines = append(lines, fmt.Sprintf("Session: %d initialized by client %s", 1000+i, client))
	}
	got := mineTemplates(DefaultConfig(), lines)
	a, b := "Session: <*> initialized by client WindowsUpdateAgent.", "Session: <*> initialized by client SPP."
	if want := []string{a, a, b, a, a, b}; !slices.Equal(got, want) {
		t.Errorf("split:\n got %q\nwant %q", got, want)
	}
	cfg := DefaultConfig()
	cfg.SplitMax = 0
	if got := mineTemplates(cfg, lines); got[0] != "Session: <*> initialized by client <*>." || got[2] != got[0] {
		t.Errorf("SplitMax 0: %q", got)
	}
	// Five distinct tokens, more than SplitMax: a variable.
	lines = lines[:0]
	for i := range 10 {
		lines = append(lines, fmt.Sprintf("sshd: user u%c logged in", 'a'+i%5))
	}
	if got := mineTemplates(DefaultConfig(), lines); got[0] != "sshd: user <*> logged in" || got[9] != got[0] {
		t.Errorf("many tokens: %q", got)
	}
	// Three distinct tokens in four lines: too few lines for each.
	got = mineTemplates(DefaultConfig(), []string{"sshd: user ua logged in", "sshd: user ub logged in", "sshd: user uc logged in", "sshd: user ua logged in"})
	if got[0] != "sshd: user <*> logged in" || got[1] != got[0] {
		t.Errorf("few lines: %q", got)
	}
	// Nor does the token after "user" (or host), however few its values.
	lines = lines[:0]
	for i := range 8 {
		lines = append(lines, "sshd: session opened for user "+[]string{"root", "news"}[i%2])
		lines = append(lines, "sshd: session closed for host: "+[]string{"db1", "web"}[i%2])
	}
	if got := mineTemplates(DefaultConfig(), lines); got[0] != "sshd: session opened for user <*>" || got[2] != got[0] ||
		got[1] != "sshd: session closed for host: <*>" || got[3] != got[1] {
		t.Errorf("user: %q", got[:4])
	}
	// Masked tokens never split, however few.
	lines = lines[:0]
	for i := range 8 {
		lines = append(lines, fmt.Sprintf("open port %d done", 22+i%2))
	}
	if got := mineTemplates(DefaultConfig(), lines); got[0] != "open port <*> done" || got[1] != got[0] {
		t.Errorf("masked: %q", got)
	}
	// The template's other columns stay <*>, the splitting one takes
	// each group's token; a column that turned <*> late keeps the
	// token of the lines before it.
	got = mineTemplates(DefaultConfig(), []string{"yarn: the job x went to state NEW", "yarn: the job y went to state NEW", "yarn: the job z went to state RUN", "yarn: the job w went to state RUN"})
	if want := []string{"yarn: the job <*> went to state NEW", "yarn: the job <*> went to state NEW", "yarn: the job <*> went to state RUN", "yarn: the job <*> went to state RUN"}; !slices.Equal(got, want) {
		t.Errorf("late column:\n got %q\nwant %q", got, want)
	}
}

// TestDrainSplitBound checks that a cluster whose lines would make more
// groups than the miner allows is not split, and its lines share one
// template.
func TestDrainSplitBound(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxClusters, cfg.Sim, cfg.Depth = 1, 0, 3
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("a%c b%c c%c", 'a'+i%2, 'a'+i/2%2, 'a'+i/4%3))
	}
	d := New(cfg)
	for _, l := range lines {
		if g := d.Add(l); g >= drainGroupsPerCluster {
			t.Fatalf("group %d, want at most %d groups", g, drainGroupsPerCluster)
		}
	}
	for g := range d.Len() {
		if d.Template(g) != "<*> <*> <*>" {
			t.Errorf("group %d: %q", g, d.Template(g))
		}
	}
}
