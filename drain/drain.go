// Package drain mines log templates: lines that differ only in their
// variable parts (numbers, addresses, ids, times) share one template, as
// the patterns stage of the query language shows them. It imports nothing
// of loghunt's, so the miner can be checked and benchmarked on its own
// (loghub_test.go scores it against logpai's published accuracy).
package drain

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Drain mines log templates with the fixed-depth parse tree of He, Zhu,
// Zheng and Lyu, "Drain: An Online Log Parsing Approach with Fixed Depth
// Tree" (ICWS 2017), as logpai/logparser's reference implementation runs
// it, so its grouping accuracy can be checked against the published
// numbers.
//
// A line is masked (Config.Mask), split at white space and routed
// through the tree: first by its token count, then by its first tokens,
// one tree layer per token; a token with a digit, or one that would give
// a node more than MaxChild children, goes down the `<*>` branch. At the
// leaf the line joins the cluster whose template shares the most tokens
// with it at the same positions, when that share is at least Sim; the
// template then becomes `<*>` wherever the two differ (keeping what both
// tokens share up to a punctuation byte: user=root and user=guest give
// user=<*>). Otherwise the line starts a new cluster. A cluster may split
// by a column of few distinct tokens (Config.SplitMax), and once lines
// are in, the merge steps of merge.go join the templates of lines the
// tree kept apart: by a token of many names (often the first, which
// routes a line), or by a variable of several tokens (Config.NoMerge
// turns them off).
//
// Unlike logparser, a line with fewer tokens than the tree has token
// layers still reaches a leaf and can join a cluster there (logparser
// starts a new cluster for each; grouping by template text, as its
// evaluator does, hides the difference).
//
// The miner is deterministic: the same lines in the same order give the
// same clusters and templates. Memory is bounded: at most MaxTokens
// tokens per line (the rest of a longer line is its last token) and at
// most MaxClusters clusters; lines that would start another cluster join
// the catch-all cluster whose template is `<overflow>`.
type Miner struct {
	cfg      Config
	byLen    map[int]*drainNode
	clusters []drainCluster
	groups   []drainGroup
	overflow int // index of the <overflow> cluster, or -1
	toks     []string
	key      []byte
	final    []string // each group's template, nil until asked for after an Add
}

// Config holds a miner's settings; see DefaultConfig.
type Config struct {
	// Depth counts the tree's layers as logparser does: the root, the
	// token-count layer, Depth-3 layers of first tokens, and the leaves.
	Depth       int
	Sim         float64 // similarity threshold st, 0 to 1
	MaxChild    int     // children of an inner node before <*> takes the rest
	MaxClusters int
	MaxTokens   int
	// Mask rewrites a line before it is split, typically replacing
	// variables with <*>; nil leaves lines as they are.
	Mask func(string) string
	// CountMasked makes a <*> of a template similar to a <*> that Mask
	// put in the line. The paper and logparser count every <*> of the
	// template as different, so lines whose variables were masked score
	// low; the stage counts them.
	CountMasked bool
	// SplitMax splits a cluster by a <*> position whose lines hold at
	// most SplitMax distinct tokens, none of them masked, when the
	// cluster has at least twice as many lines as distinct tokens there:
	// such a column is a constant of several messages that Drain merged
	// (Brain's view, Yu et al. 2023: a variable takes many values, a
	// constant few). 0 never splits. The token after user, host and
	// the like never splits (see namedVariable).
	SplitMax int
	// NoMerge turns off the merge steps (merge.go) that join the
	// templates of lines Drain's tree kept apart.
	NoMerge bool
	// BareWild makes a token where a line and a template differ a bare
	// <*>, as the paper and logparser do; by default it keeps what the two
	// share up to a punctuation byte (user=<*>, see generalize).
	BareWild bool
}

// Drain's settings for the patterns stage. With MaskVariables,
// CountMasked, the split and the merge steps, depth 5 (two layers of
// first tokens) and st 0.7 group the sixteen loghub 2k messages with a
// mean GA of 0.977, against 0.865 for Drain with each dataset's own masks
// and settings; depth 4 scored 0.977 too, depth 6 at most 0.946, st 0.4
// to 0.6 at most 0.948 (Proxifier's messages run together) and st 0.8
// 0.969 (Linux's split apart; TestLoghubSweep in loghub_test.go).
// As masked variables count as similar, st 0.7 asks 70% of a line's
// tokens, variables included, to agree with the template: rare messages
// stay apart from common ones, as a hunt wants.
const (
	drainDepth       = 5
	drainSim         = 0.7
	drainMaxChild    = 100
	drainMaxClusters = 10_000
	drainMaxTokens   = 256
	drainSplitMax    = 4
	// a cluster's lines split into at most this many groups per cluster
	// allowed (MaxClusters); past it a cluster is not split.
	drainGroupsPerCluster = 4
)

// Template texts of a variable token and of the overflow cluster.
const (
	Wild     = "<*>"
	Overflow = "<overflow>"
)

func DefaultConfig() Config {
	return Config{Depth: drainDepth, Sim: drainSim, MaxChild: drainMaxChild,
		MaxClusters: drainMaxClusters, MaxTokens: drainMaxTokens, Mask: MaskVariables, CountMasked: true,
		SplitMax: drainSplitMax}
}

// drainNode is a node of the parse tree: inner nodes have children by
// token, leaves list clusters in order of creation.
type drainNode struct {
	children map[string]*drainNode
	clusters []int
}

// drainCluster is a Drain cluster: lines and their common template.
type drainCluster struct {
	tokens []string
	size   int
	// cols has, for each position of tokens that turned <*>, the distinct
	// tokens lines had there (cols[i][0] is the template's token before
	// it turned), or nil: not a <*> position, a <*> from the mask, or
	// more than SplitMax distinct tokens.
	cols    [][]string
	groups  map[string]int // the groups of the cluster by their key
	noSplit bool           // a line found no room for its group
}

// drainGroup is what Add returns: the lines of a cluster that had the
// same tokens at the cluster's <*> positions that may split it. Its key
// holds, for each position i that was a column when a line was added,
// three bytes: i>>8, i&255 and the index of the line's token in cols[i];
// a column that turned <*> after had cols[i][0] in every line before.
type drainGroup struct {
	cluster int
	key     string
	size    int
}

func New(cfg Config) *Miner {
	cfg.Depth = max(cfg.Depth, 3)
	cfg.MaxChild = max(cfg.MaxChild, 1)
	cfg.MaxClusters = max(cfg.MaxClusters, 1)
	cfg.MaxTokens = max(cfg.MaxTokens, 1)
	return &Miner{cfg: cfg, byLen: map[int]*drainNode{}, overflow: -1}
}

// Add mines one line and returns the index of its group. Indexes are
// given in order of first appearance; a group's template may still
// change as later lines join it.
func (d *Miner) Add(line string) int {
	if d.cfg.Mask != nil {
		line = d.cfg.Mask(line)
	}
	d.final = nil
	d.toks = splitTokens(d.toks[:0], line, d.cfg.MaxTokens)
	toks := d.toks
	c := d.search(toks)
	switch {
	case c >= 0:
		d.merge(c, toks)
	case len(d.clusters) >= d.cfg.MaxClusters+btoi(d.overflow >= 0):
		c = d.overflowCluster()
	default:
		c = len(d.clusters)
		tmpl := make([]string, len(toks))
		for i, t := range toks {
			tmpl[i] = strings.Clone(t) // do not pin the line
		}
		d.clusters = append(d.clusters, drainCluster{tokens: tmpl, size: 1})
		d.insert(c, tmpl)
	}
	return d.group(c, toks)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// group returns the group of a line of cluster c, making it.
func (d *Miner) group(c int, toks []string) int {
	cl := &d.clusters[c]
	d.key = d.key[:0]
	if !cl.noSplit {
		for i, vals := range cl.cols {
			if vals == nil {
				continue
			}
			for v, t := range vals {
				if t == toks[i] {
					d.key = append(d.key, byte(i>>8), byte(i), byte(v))
					break
				}
			}
		}
	}
	if g, ok := cl.groups[string(d.key)]; ok {
		d.groups[g].size++
		return g
	}
	if len(cl.groups) > 0 && len(d.groups) >= drainGroupsPerCluster*d.cfg.MaxClusters {
		cl.noSplit = true
		for _, g := range cl.groups {
			d.groups[g].size++
			return g
		}
	}
	if cl.groups == nil {
		cl.groups = map[string]int{}
	}
	g := len(d.groups)
	cl.groups[string(d.key)] = g
	d.groups = append(d.groups, drainGroup{cluster: c, key: string(d.key), size: 1})
	return g
}

// Len returns the number of groups.
func (d *Miner) Len() int { return len(d.groups) }

// Template returns group i's template text, its tokens joined by spaces:
// its cluster's template with the tokens of the positions that split the
// cluster.
func (d *Miner) Template(i int) string {
	if d.final == nil {
		d.resolve()
	}
	return d.final[i]
}

// Size returns the number of lines in group i.
func (d *Miner) Size(i int) int { return d.groups[i].size }

// splits reports whether a column with these distinct tokens splits a
// cluster of size lines.
func (d *Miner) splits(vals []string, size int) bool {
	return len(vals) > 1 && size >= 2*len(vals)
}

// resolve works out every group's template: its cluster's template with
// the tokens of the positions that split the cluster, then the merge
// steps of merge.go.
func (d *Miner) resolve() {
	own := make([][]string, len(d.groups))
	for g, gr := range d.groups {
		cl := &d.clusters[gr.cluster]
		toks := append([]string(nil), cl.tokens...)
		if !cl.noSplit {
			for i, vals := range cl.cols {
				if d.splits(vals, cl.size) {
					toks[i] = vals[0]
				}
			}
			for k := 0; k+2 < len(gr.key); k += 3 {
				i := int(gr.key[k])<<8 | int(gr.key[k+1])
				if vals := cl.cols[i]; d.splits(vals, cl.size) {
					toks[i] = vals[gr.key[k+2]]
				}
			}
		}
		own[g] = toks
	}
	if d.cfg.NoMerge {
		d.final = make([]string, len(own))
		for g, toks := range own {
			d.final[g] = strings.Join(toks, " ")
		}
		return
	}
	d.final = mergeTemplates(own, d.cfg.SplitMax)
}

func (d *Miner) overflowCluster() int {
	if d.overflow < 0 {
		d.overflow = len(d.clusters)
		d.clusters = append(d.clusters, drainCluster{tokens: []string{Overflow}})
	}
	d.clusters[d.overflow].size++
	return d.overflow
}

// pathLen is the number of first tokens that route a line of n tokens.
func (d *Miner) pathLen(n int) int { return min(d.cfg.Depth-3, n) }

// search returns the cluster a line of tokens joins, or -1.
func (d *Miner) search(toks []string) int {
	n := d.byLen[len(toks)]
	if n == nil {
		return -1
	}
	for _, t := range toks[:d.pathLen(len(toks))] {
		c := n.children[t]
		if c == nil {
			c = n.children[Wild]
		}
		if c == nil {
			return -1
		}
		n = c
	}
	return d.bestMatch(n.clusters, toks)
}

// bestMatch picks, among the clusters of a leaf, the most similar to the
// line, preferring more <*> on ties and the older cluster after that, if
// it is similar enough.
func (d *Miner) bestMatch(ids []int, toks []string) int {
	best, bestSim, bestWild := -1, -1.0, -1
	for _, id := range ids {
		sim, wild := similarity(d.clusters[id].tokens, toks, d.cfg.CountMasked)
		if sim > bestSim || (sim == bestSim && wild > bestWild) {
			best, bestSim, bestWild = id, sim, wild
		}
	}
	if best >= 0 && bestSim >= d.cfg.Sim {
		return best
	}
	return -1
}

// similarity is the share of a template's positions whose token equals
// the line's, and the number of <*> in the template. A <*> of the
// template counts as different (the paper's simSeq), unless countMasked
// and the line's token is <*> too.
func similarity(tmpl, toks []string, countMasked bool) (float64, int) {
	if len(tmpl) == 0 {
		return 1, 0
	}
	same, wild := 0, 0
	for i, t := range tmpl {
		switch {
		case t == Wild:
			wild++
			if countMasked && toks[i] == Wild {
				same++
			}
		case t == toks[i]:
			same++
		}
	}
	return float64(same) / float64(len(tmpl)), wild
}

// merge adds a line to cluster c: its template gets <*> where they
// differ (keeping what the two tokens share around it, see generalize),
// and the columns that may split it learn the line's tokens.
func (d *Miner) merge(c int, toks []string) {
	cl := &d.clusters[c]
	cl.size++
	for i, t := range cl.tokens {
		if cl.cols != nil && cl.cols[i] != nil {
			cl.cols[i] = d.learn(cl.cols[i], toks[i])
		}
		if t == toks[i] {
			continue
		}
		if d.cfg.SplitMax > 0 && !strings.Contains(t, Wild) && !strings.Contains(toks[i], Wild) && !namedVariable(cl.tokens, i) {
			if cl.cols == nil {
				cl.cols = make([][]string, len(cl.tokens))
			}
			cl.cols[i] = []string{t, strings.Clone(toks[i])}
		}
		if d.cfg.BareWild {
			cl.tokens[i] = Wild
		} else if g := generalize(t, toks[i]); g != t {
			cl.tokens[i] = g
		}
	}
}

// generalize returns the template token for two differing tokens: <*>,
// with the start of both up to a non-word byte and the end of both from
// one (user=root and user=guest give user=<*>; (x) and (y) give (<*>)).
// The rest of a line past MaxTokens, white space in it, is <*>.
func generalize(a, b string) string {
	if a == b {
		return a
	}
	if strings.ContainsFunc(a, unicode.IsSpace) || strings.ContainsFunc(b, unicode.IsSpace) {
		return Wild
	}
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	for p > 0 && maskIsWord(a[p-1]) {
		p--
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	for s > 0 && maskIsWord(a[len(a)-s]) {
		s--
	}
	pre, suf := a[:p], a[len(a)-s:]
	if strings.HasSuffix(pre, Wild) {
		pre = pre[:len(pre)-len(Wild)]
	}
	if strings.HasPrefix(suf, Wild) {
		suf = suf[len(Wild):]
	}
	if pre == "" && suf == "" {
		return Wild
	}
	return pre + Wild + suf
}

// learn adds a token to a column's distinct tokens; nil when it was
// masked or there are more than SplitMax.
func (d *Miner) learn(vals []string, t string) []string {
	if slices.Contains(vals, t) {
		return vals
	}
	if len(vals) >= d.cfg.SplitMax || strings.Contains(t, Wild) {
		return nil
	}
	return append(vals, strings.Clone(t))
}

// insert routes a new cluster into the tree, making the nodes it needs.
func (d *Miner) insert(id int, toks []string) {
	n := d.byLen[len(toks)]
	if n == nil {
		n = &drainNode{}
		d.byLen[len(toks)] = n
	}
	for _, t := range toks[:d.pathLen(len(toks))] {
		if c := n.children[t]; c != nil {
			n = c
			continue
		}
		n = d.childFor(n, t)
	}
	n.clusters = append(n.clusters, id)
}

// childFor returns the child of n that a token without a node of its own
// goes to, making it: the token's own node while n has room, else <*>.
// Tokens with digits always go to <*>; the last free place is kept for it.
func (d *Miner) childFor(n *drainNode, t string) *drainNode {
	if n.children == nil {
		n.children = map[string]*drainNode{}
	}
	wild := n.children[Wild]
	room := len(n.children) < d.cfg.MaxChild
	if wild == nil {
		room = len(n.children)+1 < d.cfg.MaxChild
	}
	if !drainHasDigit(t) && room {
		c := &drainNode{}
		n.children[t] = c
		return c
	}
	if wild == nil {
		wild = &drainNode{}
		n.children[Wild] = wild
	}
	return wild
}

func drainHasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// splitTokens appends the white-space separated tokens of s to dst; past
// max-1 tokens, the rest of s (trimmed) is the last token.
func splitTokens(dst []string, s string, max int) []string {
	i := 0
	for {
		i += spaceLen(s[i:])
		if i >= len(s) {
			return dst
		}
		if len(dst) == max-1 {
			return append(dst, strings.TrimRightFunc(s[i:], unicode.IsSpace))
		}
		j := i
		for j < len(s) {
			if c := s[j]; c < utf8.RuneSelf && c != ' ' && (c < '\t' || c > '\r') {
				j++
				continue
			}
			if spaceLen(s[j:]) > 0 {
				break
			}
			_, w := utf8.DecodeRuneInString(s[j:])
			j += w
		}
		dst = append(dst, s[i:j])
		i = j
	}
}

// spaceLen returns the length of the white space that starts s.
func spaceLen(s string) int {
	n := 0
	for n < len(s) {
		c := s[n]
		if c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				return n
			}
			n++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsSpace(r) {
			return n
		}
		n += w
	}
	return n
}

// namedVariable reports whether the token at i of a template is the
// value of a name that says it is an account or a host: the token after
// user, username, account, host or hostname (with a colon or not). Such
// a column never splits a cluster, however few values it has: the same
// message for two users is one template. (A user=root of its own still
// splits: the loghub ground truth counts Linux's user=root and
// user=guest as two messages, and GA on Linux fell from 0.874 to 0.688
// when it did not split.)
func namedVariable(tmpl []string, i int) bool {
	return i > 0 && accountName(strings.TrimSuffix(tmpl[i-1], ":"))
}

func accountName(s string) bool {
	switch strings.ToLower(s) {
	case "user", "username", "account", "host", "hostname":
		return true
	}
	return false
}
