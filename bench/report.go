package main

import (
	"fmt"
	"os"
	"strings"
)

// target is a goal of DESIGN.md for one piece of work: an absolute
// bound, or a ratio to a peer.
type target struct {
	work      string
	seconds   float64 // at most this long (0: no bound)
	peer      string  // and at most ratio × this peer's time
	ratio     float64
	percent   float64 // for "store %": at most this
	describes string
}

var targets = []target{
	{work: "load", peer: "duckdb", ratio: 0.25, describes: "≤ 1/4 of DuckDB's load"},
	{work: "top404", seconds: 0.030, describes: "≤ 30 ms"},
	{work: "perminute", seconds: 0.150, describes: "≤ 150 ms"},
	{work: "rareword", seconds: 0.030, describes: "≤ 30 ms"},
	{work: "hunt", seconds: 1, peer: "pandas+sklearn", ratio: 0.55, describes: "≤ 1 s and ≤ 0.55× pandas+sklearn"},
	{work: "hunt query", seconds: 0.100, describes: "≤ 100 ms"},
	{work: "store %", percent: 15, describes: "≤ 15% of raw"},
}

// report prints every result, then each target with its verdict.
func report(c *config, res []result) {
	raw, _ := os.Stat(c.access)
	auth, _ := os.Stat(c.auth)
	fmt.Printf("corpus: %s (%.0f MB), %s (%.0f MB); medians of %d runs (loads and queries)\n\n",
		c.access, float64(raw.Size())/1e6, c.auth, float64(auth.Size())/1e6, c.runs)
	fmt.Printf("%-15s %-13s %10s %9s   %s\n", "tool", "work", "value", "peak RSS", "first row / note")
	maxRSS := 0.0
	for _, r := range res {
		v := fmt.Sprintf("%.3f s", r.secs)
		switch {
		case r.work == "store %":
			v = fmt.Sprintf("%.1f%%", r.secs)
		case r.secs < 0:
			v = "" // a note alone
		}
		rss := ""
		if r.rssMB > 0 {
			rss = fmt.Sprintf("%.0f MB", r.rssMB)
		}
		if r.tool == "loghunt" {
			maxRSS = max(maxRSS, r.rssMB)
		}
		fmt.Printf("%-15s %-13s %10s %9s   %s\n", r.tool, r.work, v, rss, cut(r.note, 100))
	}
	find := func(tool, work string) (result, bool) {
		for _, r := range res {
			if r.tool == tool && r.work == work {
				return r, true
			}
		}
		return result{}, false
	}
	fmt.Printf("\n%-11s %-40s %-28s %s\n", "work", "target", "measured", "met")
	for _, t := range targets {
		lh, ok := find("loghunt", t.work)
		if !ok {
			continue
		}
		met, measured := true, ""
		switch {
		case t.percent > 0:
			met, measured = lh.secs <= t.percent, fmt.Sprintf("%.1f%%", lh.secs)
		default:
			measured = fmt.Sprintf("%.3f s", lh.secs)
			if t.seconds > 0 && lh.secs > t.seconds {
				met = false
			}
			if p, ok := find(t.peer, t.work); ok && t.peer != "" {
				measured += fmt.Sprintf(" = %.2f× %s", lh.secs/p.secs, t.peer)
				met = met && lh.secs <= t.ratio*p.secs
			} else if t.peer != "" {
				measured += " (" + t.peer + " not run)"
				met = met && t.seconds > 0
			}
		}
		fmt.Printf("%-11s %-40s %-28s %s\n", t.work, t.describes, measured, yes(met))
	}
	fmt.Printf("%-11s %-40s %-28s %s\n", "peak RSS", "≤ 500 MB", fmt.Sprintf("%.0f MB", maxRSS), yes(maxRSS <= 500))
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return strings.TrimSpace(s)
}
