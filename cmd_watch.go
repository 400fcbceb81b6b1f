package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"loghunt/clickhouse"
	"loghunt/ingest"
	"loghunt/store"
	"loghunt/watch"
)

const watchUsage = `usage: loghunt [--db FILE] watch [--rules PATH]... [--sigma RULES]... [--act] [--ship URL [--table T]] [flags] PATH...

Follows log files and directories like tail -F and ingests what is written
into the database (created if needed), until Ctrl-C: appended lines; rotation
by rename (the old file is read to its end) and by copy-truncate (read again
from the start); new files in a followed directory (not-a-log files, compressed
and binary files are left out); a file deleted and recreated. A rotated copy
(foo.log.1) is recognised by its first bytes and not ingested twice. Each
commit stores the new events with each file's progress, so a watch started
again goes on where the last one stopped, nothing lost or stored twice.

The database is open only while a commit runs (at most every 200 ms), so
queries and the REPL run meanwhile; a second watch on the same database is
refused. With --rules, the detection rules (loghunt rules check; .help
rules) run after every commit on the events' own times, alerts are stored
(loghunt alerts) and each tier's actions run: log and webhook at once, exec
only simulated ("would run ...") unless --act is given, none for an entity
on the --allow list; an action held for a time (for: 1h) is undone when it
expires, also after a restart, or at once with loghunt alerts undo ID.
With --ship, the new events go to a ClickHouse table after every commit, as
'loghunt ship --clickhouse URL' sends them (each chunk once, also across
restarts); a failed ship is warned of and tried again at the next commit.

With --sigma (Sigma rule files or directories, as for loghunt sigma hunt),
the Sigma rules run after every commit over the events stored since they
last ran: each hit raises an alert (rule sigma:<id>, severity low for
informational and low, medium, high for high and critical; entity the
event's source, or a correlation's group-by values) or extends the open one
of its rule and entity when it comes within --sigma-suppress of its last
event. Correlations run on sliding windows in event time; a match waits
until the newest event stored is --sigma-lag past it, so that lines of
several files arriving in slightly different orders are correlated in
order. A watch started again goes on after the last event the rules saw.

flags:
`

func (e *env) watch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var rules stringList
	var cfg watch.Config
	var tz string
	fs.Var(&rules, "rules", "a rule file or a directory of them (repeatable)")
	var sigmaRules stringList
	fs.Var(&sigmaRules, "sigma", "Sigma rules to run: a rule file or a directory of them (repeatable)")
	sigmaMapping := fs.String("sigma-mapping", "", "a log-source mapping FILE for the Sigma rules (thor.yml's shape), extending the built-in one")
	sigmaLag := fs.Duration("sigma-lag", 5*time.Second, "how long past a Sigma match the newest event must be before correlations see it")
	sigmaSuppress := fs.Duration("sigma-suppress", 10*time.Minute, "a Sigma hit this close after its rule's last hit for the same entity extends that alert")
	act := fs.Bool("act", false, "run exec actions (without it they are recorded as 'would run')")
	allow := fs.String("allow", "", "an allow-list file (YAML: allow: [CIDR, address, user:NAME, host:NAME, FIELD=VALUE]) checked before every action")
	fs.StringVar(&cfg.Ingest.Format, "format", "auto", "the format of every input: auto, "+strings.Join(ingestFormats(), ", "))
	fs.StringVar(&tz, "tz", "UTC", "time zone of timestamps that carry none")
	fs.BoolVar(&cfg.Poll, "poll", false, "poll the files instead of using file events (for filesystems without them)")
	fs.DurationVar(&cfg.Idle, "idle", 5*time.Second, "how long an unterminated last line waits for its newline before it is stored as it is")
	status := fs.Duration("status", 2*time.Second, "how often a status line is printed on stderr when it is a terminal")
	memLimit := fs.String("memory-limit", "1GiB", "a soft limit on the watch's memory (Go's GC works harder near it; off for none; GOMEMLIMIT, when set, wins over the default)")
	shipURL := fs.String("ship", "", "keep a ClickHouse table current: its HTTP interface, http://host:8123 (see loghunt ship)")
	shipTable := fs.String("table", "loghunt_events", "with --ship: the table ([database.]name)")
	fs.Usage = func() { fmt.Fprint(e.stderr, watchUsage); fs.PrintDefaults() }
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return usagef("watch: no path given")
	}
	if cfg.Ingest.Format != "auto" {
		if _, ok := ingest.Lookup(cfg.Ingest.Format); !ok {
			return usagef("watch: unknown format %q (known: auto, %s)", cfg.Ingest.Format, strings.Join(ingestFormats(), ", "))
		}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return usagef("watch: unknown time zone %q", tz)
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "tz" {
			cfg.Ingest.Loc = loc
		}
	})
	limitSet := false
	fs.Visit(func(f *flag.Flag) { limitSet = limitSet || f.Name == "memory-limit" })
	limit, err := parseSize(*memLimit)
	if err != nil {
		return usagef("watch: --memory-limit: %v", err)
	}
	if limitSet || os.Getenv("GOMEMLIMIT") == "" {
		if limit > 0 {
			debug.SetMemoryLimit(limit)
		} else {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	}
	if len(rules) == 0 && (*act || *allow != "") {
		return usagef("watch: --act and --allow are for the actions of --rules")
	}
	var shipper *clickhouse.Shipper
	if *shipURL != "" {
		c, err := clickhouse.NewClient(*shipURL)
		if err != nil {
			return usagef("watch: --ship: %v", err)
		}
		if _, err := clickhouse.CreateSQL(*shipTable, nil, ""); err != nil {
			return usagef("watch: %v", err)
		}
		shipper = &clickhouse.Shipper{C: c, Opt: clickhouse.ShipOptions{Table: *shipTable}}
	} else if fs.Lookup("table").Value.String() != "loghunt_events" {
		return usagef("watch: --table goes with --ship")
	}
	cfg.DB, cfg.Paths = e.db, paths
	var mu sync.Mutex // the status line and the warnings share stderr
	statusShown := false
	clear := func() {
		if statusShown {
			fmt.Fprint(e.stderr, "\r\033[K")
			statusShown = false
		}
	}
	cfg.Warn = func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		clear()
		fmt.Fprintf(e.stderr, "loghunt: warning: %s\n", msg)
	}
	cfg.OnWait = func() {
		mu.Lock()
		defer mu.Unlock()
		clear()
		fmt.Fprintf(e.stderr, "loghunt: %s is in use by another loghunt process; the watch waits to commit...\n", e.db)
	}
	note := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		clear()
		fmt.Fprintf(e.stderr, "loghunt: %s\n", msg)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var resp *responder
	var hooks watchHooks
	if len(rules) > 0 {
		if resp, err = newResponder(ctx, e, rules, *act, *allow, note); err != nil {
			return err
		}
		hooks.resp = resp
	}
	if len(sigmaRules) > 0 {
		if hooks.sigma, err = newSigmaWatch(sigmaRules, *sigmaMapping, *sigmaLag, *sigmaSuppress, note); err != nil {
			return err
		}
		hooks.note = note
	}
	if hooks.resp != nil || hooks.sigma != nil {
		cfg.Hook = &hooks
	}
	if shipper != nil {
		cfg.Hook = &shipHook{next: cfg.Hook, shipper: shipper, note: note}
	}
	if isTerminal(e.stderr) && *status > 0 {
		var last watch.Stats
		var lastAt time.Time
		cfg.Status = func(s watch.Stats) {
			if time.Since(lastAt) < *status {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			rate := 0.0
			if !lastAt.IsZero() {
				rate = float64(s.Lines-last.Lines) / time.Since(lastAt).Seconds()
			}
			fmt.Fprintf(e.stderr, "\r\033[Kwatching %d file%s: %s lines/s, %d events stored", s.Files, plural(s.Files), humanCount(rate), s.Events)
			statusShown = true
			last, lastAt = s, time.Now()
		}
	}
	sum, err := watch.Run(ctx, cfg)
	cancel()
	if resp != nil {
		resp.Wait()
	}
	mu.Lock()
	clear()
	mu.Unlock()
	if errors.Is(err, watch.ErrWatched) {
		return err
	}
	fmt.Fprintf(e.stderr, "watched %d file%s for %s: %d lines, %d events (%d flagged) in %d commit%s\n",
		sum.Files, plural(sum.Files), sum.Elapsed.Round(time.Second), sum.Lines, sum.Events, sum.Flagged, sum.Commits, plural(sum.Commits))
	return err
}

// shipHook ships the new events after each commit, then runs the rules.
type shipHook struct {
	next    watch.Hook
	shipper *clickhouse.Shipper
	note    func(string)
	failing bool
}

func (h *shipHook) AfterCommit(ctx context.Context, db *store.DB) error {
	st, err := h.shipper.Ship(ctx, db)
	switch {
	case err != nil && !h.failing:
		h.failing = true
		h.note(fmt.Sprintf("warning: ship to ClickHouse: %v (tried again at each commit)", err))
	case err == nil && h.failing:
		h.failing = false
		h.note("ship to ClickHouse works again")
	}
	if err == nil && st.Chunks > 0 {
		h.note(fmt.Sprintf("shipped %d events in %d chunks to %s", st.Events, st.Chunks, h.shipper.Opt.Table))
	}
	if h.next != nil {
		return h.next.AfterCommit(ctx, db)
	}
	return nil
}

// parseSize reads a size in bytes: a number with an optional unit (B, KB,
// MB, GB, KiB, MiB, GiB, K, M, G: K, M and G alone are binary), or off
// (or 0) for none.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "off" || t == "0" {
		return 0, nil
	}
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult := map[string]float64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9,
		"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || v < 0 || v*mult >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size (e.g. 512MiB, 2GiB, off)", s)
	}
	return int64(v * mult), nil
}
