// Package watch follows log files and directories as they are written,
// like tail -F, and ingests what arrives into the store with the same
// exactly-once guarantee as package ingest: each commit holds the new
// events of every followed file together with each file's progress, so a
// restarted watch goes on where the last commit ended.
//
// The store is open for writing only while a commit (and the hook after
// it) runs, so queries wait for at most one commit; a lock file next to
// the store keeps a second watch out.
//
// What it follows and how it tells files apart:
//
//   - A file is known by its device and inode. A followed name whose inode
//     changes (rotation by rename, delete and recreate) is a new file; the
//     old one is read to its end through the descriptor the watch holds,
//     then closed once it has not grown for Config.Idle.
//   - A file that shrinks, or whose first bytes change, was truncated
//     (copy-truncate): what was read of it is finished as one generation
//     and it is read again from offset 0 as the next.
//   - A new file whose first bytes are those of a file being followed, or
//     of a generation that ended, is a rotated copy (foo.log.1 after a
//     copy-truncate, or a rename seen after a restart): it is read only
//     from where that generation's ingest ended, never from 0, once the
//     generation has ended. A copy of a file that never ends (cp foo.log
//     foo.bak) is never read.
//   - New files in a followed directory are followed unless ingest's
//     not-a-log rules leave them out, they are compressed (rotated
//     archives: .gz, .zip, .bz2, .xz, .zst) or they look binary.
//   - An unterminated last line is held back until its newline arrives,
//     until the file is rotated or closed, or until it has stayed
//     unterminated for Config.Idle (then it is stored as it is).
package watch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"loghunt/ingest"
	"loghunt/store"
)

// Hook is called after each commit that added events, and every
// Config.HookEvery even without new lines, while the store is open for
// writing. An error is reported through Config.Warn and the watch goes on.
type Hook interface {
	AfterCommit(ctx context.Context, db *store.DB) error
}

// Config says what to watch and how.
type Config struct {
	DB     string        // the store's path; created when missing
	Paths  []string      // files and directories to follow
	Ingest ingest.Config // Format, Loc, Year, TimeField, Workers apply
	Hook   Hook          // nil for none

	Interval  time.Duration // least time between commits; 0 means 200 ms
	MaxBatch  int64         // most bytes read for one commit; 0 means 32 MiB
	Rescan    time.Duration // how often every name is listed and stat'ed; 0 means 1 s
	Idle      time.Duration // unterminated line and orphan time-out; 0 means 5 s
	HookEvery time.Duration // 0 means 1 s
	Poll      bool          // do not use file events (fsnotify): poll every Interval
	// Warn receives problems that do not stop the watch; nil discards.
	Warn func(msg string)
	// Status, when set, is called after every commit and every second.
	Status func(Stats)
	// OnWait is called when a commit waits for another process (a long
	// query) to release the store.
	OnWait func()
}

// Stats is what a watch has done so far.
type Stats struct {
	Files                 int // files being followed now
	Lines, Events, Bytes  int64
	Flagged               int64
	Commits               int
	Elapsed               time.Duration
	LastCommit            time.Duration // how long the last commit held the store
	Rotations, Truncation int
}

type fileID struct{ dev, ino uint64 }

func idOf(fi fs.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	return fileID{}
}

// tail is a followed file.
type tail struct {
	id       fileID
	name     string // the followed name it was last seen under
	f        *os.File
	base     store.Source // where its stream starts, until it has one
	stream   *ingest.Stream
	decided  bool // whether it is a copy has been decided (new files only)
	readOff  int64
	buf      []byte // read, not yet parsed: the bytes from the stream's offset to readOff
	grew     time.Time
	seen     bool // under a followed name at the last rescan
	orphan   bool
	fp       uint64 // fingerprint of its first fpLen bytes
	fpLen    int64
	lastSize int64
	lastMod  int64
	mtime    int64
	gen      int // generations ended (truncations)
}

// gen is a generation of a source that ended (the file was truncated,
// rotated away or closed): what was stored of it, for a copy of it that
// appears later to go on from.
type gen struct {
	key string // in the "watch" record bucket
	Src store.Source
}

// pendingCopy is a new file whose first bytes are those of a followed
// file that has not ended: it waits for that file's generation to end.
type pendingCopy struct {
	name  string
	of    fileID
	ofGen int
}

type watcher struct {
	cfg      Config
	work     context.Context // parses and commits finish even when the watch is stopped
	tails    map[fileID]*tail
	pending  map[fileID]*pendingCopy
	skipped  map[fileID]bool
	byID     map[fileID]*store.Source // stored records of files not followed yet
	gens     []gen
	warned   map[string]string
	dirs     map[string]bool // watched by fsnotify
	notify   *fsnotify.Watcher
	started  time.Time
	budget   int64
	stats    Stats
	batches  []*ingest.Batch
	puts     []store.Source
	genPuts  []gen
	genDels  []string
	lastHook time.Time
	flight   *inflight // the commit under way
	rescan   atomic.Bool
	keys     map[string]bool // source record keys in use
	dbAbs    string
}

// newKey is the source record key of a file first followed under name:
// its absolute path and inode, made unique (a reused inode).
func (w *watcher) newKey(name string, id fileID) string {
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	base := abs + "@" + strconv.FormatUint(id.ino, 10)
	key := base
	for n := 2; w.keys[key]; n++ {
		key = base + "#" + strconv.Itoa(n)
	}
	w.keys[key] = true
	return key
}

const recordBucket = "watch"

// debug (LOGHUNT_WATCH_DEBUG=1) prints on stderr what the watch decides
// about each file: a copy, a resumed record, a truncation.
var debug = os.Getenv("LOGHUNT_WATCH_DEBUG") != ""

func debugf(format string, args ...any) {
	if debug {
		fmt.Fprintf(os.Stderr, "debug: "+format+"\n", args...)
	}
}

// minPrefix is how many first bytes a new file must share with a followed
// file to be taken for its copy (and hold at least one whole line).
const minPrefix = 16

// maxGens is how many ended generations are kept for copies to match.
const maxGens = 64

// Run follows cfg.Paths until ctx is cancelled, then finishes the commit
// under way and returns what it did with a nil error. The error is
// ErrWatched (wrapped) when another watch holds the store, or a store
// error, which stops the watch.
func Run(ctx context.Context, cfg Config) (Stats, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = 200 * time.Millisecond
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 32 << 20
	}
	if cfg.Rescan <= 0 {
		cfg.Rescan = time.Second
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 5 * time.Second
	}
	if cfg.HookEvery <= 0 {
		cfg.HookEvery = time.Second
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	cfg.Ingest.Warn = cfg.Warn
	release, err := lock(cfg.DB)
	if err != nil {
		return Stats{}, err
	}
	defer release()
	w := &watcher{cfg: cfg, work: context.WithoutCancel(ctx), tails: map[fileID]*tail{}, pending: map[fileID]*pendingCopy{},
		skipped: map[fileID]bool{}, byID: map[fileID]*store.Source{}, warned: map[string]string{}, dirs: map[string]bool{}, keys: map[string]bool{},
		started: time.Now()}
	defer w.closeAll()
	w.dbAbs, _ = filepath.Abs(cfg.DB)
	if err := w.load(); err != nil {
		return w.stats, err
	}
	wake := make(chan struct{}, 1)
	if !cfg.Poll {
		if n, err := fsnotify.NewWatcher(); err != nil {
			cfg.Warn(fmt.Sprintf("file events unavailable (%v): polling every %v", err, cfg.Interval))
			w.cfg.Poll = true
		} else {
			w.notify = n
			defer n.Close()
			go w.events(wake)
		}
	}
	w.scan(true)
	every := cfg.Rescan
	if w.cfg.Poll {
		every = cfg.Interval
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	lastScan, lastCycle, lastStatus := time.Now(), time.Time{}, time.Now()
	for {
		if err := w.cycle(); err != nil {
			w.wait()
			return w.summary(), err
		}
		lastCycle = time.Now()
		if cfg.Status != nil && time.Since(lastStatus) >= time.Second {
			cfg.Status(w.summary())
			lastStatus = time.Now()
		}
		more := w.budget <= 0 // a backlog: go on at once
		if more {
			select {
			case <-ctx.Done():
				return w.finish()
			default:
			}
		} else {
			select {
			case <-ctx.Done():
				return w.finish()
			case <-wake:
			case <-tick.C:
			}
		}
		if d := cfg.Interval - time.Since(lastCycle); d > 0 && !more {
			select {
			case <-ctx.Done():
				return w.finish()
			case <-time.After(d):
			}
		}
		if w.rescan.Swap(false) || time.Since(lastScan) >= cfg.Rescan {
			w.scan(false)
			lastScan = time.Now()
		}
	}
}

// finish waits for the commit under way and returns what the watch did.
func (w *watcher) finish() (Stats, error) {
	err := w.wait()
	return w.summary(), err
}

func (w *watcher) summary() Stats {
	s := w.stats
	s.Files = len(w.tails)
	s.Elapsed = time.Since(w.started)
	return s
}

// events turns file events into wake-ups; creations, renames and removals
// also ask for a rescan of the names.
func (w *watcher) events(wake chan<- struct{}) {
	for {
		select {
		case ev, ok := <-w.notify.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove) {
				w.rescan.Store(true)
			}
			select {
			case wake <- struct{}{}:
			default:
			}
		case err, ok := <-w.notify.Errors:
			if !ok {
				return
			}
			w.cfg.Warn(fmt.Sprintf("file events: %v (the periodic rescan goes on)", err))
		}
	}
}

func (w *watcher) closeAll() {
	for _, t := range w.tails {
		t.f.Close()
	}
}

// load reads the stored source records of earlier watches and the ended
// generations.
func (w *watcher) load() error {
	db, err := w.open() // creates the store when missing
	if err != nil {
		return err
	}
	defer db.Close()
	srcs, err := db.Sources()
	if err != nil {
		return err
	}
	for _, s := range srcs {
		w.keys[s.Key] = true
		if s.Inode != 0 {
			w.byID[fileID{s.Device, s.Inode}] = s
		}
	}
	return db.ReadRecords(recordBucket, func(r *store.Records) error {
		return r.ForEach([]byte("gen\x00"), func(k, v []byte) (bool, error) {
			if !bytes.HasPrefix(k, []byte("gen\x00")) {
				return false, nil
			}
			var g gen
			if err := json.Unmarshal(v, &g.Src); err != nil {
				return false, fmt.Errorf("watch record %q: %w", k, err)
			}
			g.key = string(k)
			w.gens = append(w.gens, g)
			return true, nil
		})
	})
}

func (w *watcher) open() (*store.DB, error) {
	return store.Open(w.cfg.DB, store.OpenOptions{Create: true, Wait: 24 * time.Hour, OnWait: w.cfg.OnWait, SyncFreelist: true})
}

func (w *watcher) warnOnce(name, msg string) {
	if w.warned[name] == msg {
		return
	}
	w.warned[name] = msg
	w.cfg.Warn(msg)
}

// skipExts are compressed files: rotated archives, not followed.
var skipExts = map[string]bool{".gz": true, ".zip": true, ".bz2": true, ".xz": true, ".zst": true, ".tgz": true, ".7z": true, ".lz4": true}

type cand struct {
	name string
	fi   fs.FileInfo
	id   fileID
}

// names lists the regular files the followed paths name now.
func (w *watcher) names() []cand {
	var out []cand
	add := func(name string, fi fs.FileInfo) {
		out = append(out, cand{name, fi, idOf(fi)})
	}
	for _, p := range w.cfg.Paths {
		fi, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				w.warnOnce(p, fmt.Sprintf("%s: does not exist (yet); followed when it appears", p))
			} else {
				w.warnOnce(p, fmt.Sprintf("%s: %v", p, err))
			}
			w.watchDir(filepath.Dir(p))
			continue
		}
		delete(w.warned, p)
		if !fi.IsDir() {
			w.watchDir(filepath.Dir(p))
			if fi.Mode().IsRegular() {
				add(p, fi)
			}
			continue
		}
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				w.warnOnce(path, fmt.Sprintf("%s: %v", path, err))
				return nil
			}
			if d.IsDir() {
				if path != p && (d.Name() == ".git" || d.Name() == ".svn" || d.Name() == ".hg") {
					return fs.SkipDir
				}
				w.watchDir(path)
				return nil
			}
			if !d.Type().IsRegular() || ingest.NotALog(d.Name()) || skipExts[strings.ToLower(filepath.Ext(d.Name()))] || w.own(path) {
				return nil
			}
			if fi, err := d.Info(); err == nil {
				add(path, fi)
			}
			return nil
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// own reports whether path is the store or its lock file, which a
// followed directory may hold.
func (w *watcher) own(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	return abs == w.dbAbs || abs == w.dbAbs+".watch"
}

func (w *watcher) watchDir(dir string) {
	if w.notify == nil || w.dirs[dir] {
		return
	}
	if err := w.notify.Add(dir); err != nil {
		w.warnOnce(dir, fmt.Sprintf("%s: no file events (%v); polled every %v", dir, err, w.cfg.Rescan))
		return
	}
	w.dirs[dir] = true
}

// scan lists the followed names and takes up the files new to it: files
// already followed (also under a new name) first, then stored records of
// earlier runs by inode, then the rest, which may be copies. first is the
// scan at the start, which also looks for files of stored records that
// were renamed out of the followed names (a rotation while the watch was
// down).
func (w *watcher) scan(first bool) {
	cands := w.names()
	for _, t := range w.tails {
		t.seen = false
	}
	var rest []cand
	seenPending := map[fileID]bool{}
	for _, c := range cands {
		if t, ok := w.tails[c.id]; ok {
			t.name, t.seen = c.name, true
			continue
		}
		if p, ok := w.pending[c.id]; ok {
			p.name = c.name
			seenPending[c.id] = true
			continue
		}
		if w.skipped[c.id] {
			continue
		}
		if rec, ok := w.byID[c.id]; ok {
			delete(w.byID, c.id)
			if w.resume(c.name, c.id, rec) {
				w.tails[c.id].seen = true
				continue
			}
		}
		rest = append(rest, c)
	}
	for id := range w.pending {
		if !seenPending[id] {
			delete(w.pending, id) // gone before its generation ended
		}
	}
	if first {
		w.findRenamed()
	}
	for _, c := range rest {
		f, err := os.Open(c.name)
		if err != nil {
			w.warnOnce(c.name, fmt.Sprintf("%s: not followed: %v (tried again at every rescan)", c.name, err))
			continue
		}
		delete(w.warned, c.name)
		t := &tail{id: c.id, name: c.name, f: f, seen: true, grew: time.Now(), mtime: c.fi.ModTime().UnixNano(),
			base: store.Source{Key: w.newKey(c.name, c.id), Path: c.name}}
		w.tails[c.id] = t
	}
	for _, t := range w.tails {
		t.orphan = !t.seen
	}
}

// resume takes up the stored record of a file found by its inode: when
// its first bytes are still those recorded, it goes on at the recorded
// offset; when they are not (truncated while the watch was down, or the
// inode is another file's now), the record's generation has ended and
// the file is read from 0 under the same key.
func (w *watcher) resume(name string, id fileID, rec *store.Source) bool {
	f, err := os.Open(name)
	if err != nil {
		w.warnOnce(name, fmt.Sprintf("%s: not followed: %v (tried again at every rescan)", name, err))
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return false
	}
	debugf("%s: resume %s offset %d", name, rec.Key, rec.Offset)
	t := &tail{id: id, name: name, f: f, seen: true, decided: true, grew: time.Now(), mtime: fi.ModTime().UnixNano(), base: *rec}
	head := readHead(f, rec.FingerprintLen)
	if int64(len(head)) == rec.FingerprintLen && ingest.Fingerprint(head, rec.FingerprintLen) == rec.Fingerprint && fi.Size() >= rec.Offset {
		t.readOff = rec.Offset
		t.fp, t.fpLen = rec.Fingerprint, rec.FingerprintLen
	} else {
		w.retire(*rec)
		t.base = newGeneration(*rec)
	}
	w.tails[id] = t
	return true
}

// findRenamed looks, next to each stored record's file, for a file with
// the record's inode that no followed name reaches (foo.log renamed to
// foo.log.1 while the watch was down): it is read on from the record's
// offset to its end, then closed.
func (w *watcher) findRenamed() {
	for id, rec := range w.byID {
		dir := filepath.Dir(rec.Path)
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			fi, err := e.Info()
			if err != nil || !fi.Mode().IsRegular() || idOf(fi) != id {
				continue
			}
			delete(w.byID, id)
			if w.resume(filepath.Join(dir, e.Name()), id, rec) {
				w.tails[id].seen = false
			}
			break
		}
	}
}

func newGeneration(rec store.Source) store.Source {
	rec.Offset, rec.Lines = 0, 0
	rec.Sourcetype = ""
	rec.Fingerprint, rec.FingerprintLen = 0, 0
	return rec
}

// retire records that a source's generation ended.
func (w *watcher) retire(src store.Source) {
	debugf("retire %s offset %d fplen %d", src.Key, src.Offset, src.FingerprintLen)
	if src.Offset == 0 {
		return
	}
	g := gen{key: fmt.Sprintf("gen\x00%s\x00%020d", src.Key, time.Now().UnixNano()), Src: src}
	w.gens = append(w.gens, g)
	w.genPuts = append(w.genPuts, g)
	for len(w.gens) > maxGens {
		w.genDels = append(w.genDels, w.gens[0].key)
		w.gens = w.gens[1:]
	}
}

func readHead(f *os.File, n int64) []byte {
	b := make([]byte, n)
	got, _ := f.ReadAt(b, 0)
	return b[:got]
}

// cycle reads what is new in every followed file, parses it and commits
// it; then the hook runs.
func (w *watcher) cycle() error {
	w.budget = w.cfg.MaxBatch
	w.checkPending()
	ids := make([]fileID, 0, len(w.tails))
	for id := range w.tails {
		ids = append(ids, id)
	}
	// Files followed before go first: their truncations end generations
	// that the new files among the rest may be copies of.
	sort.Slice(ids, func(i, j int) bool {
		a, b := w.tails[ids[i]], w.tails[ids[j]]
		if a.decided != b.decided {
			return a.decided
		}
		return a.name < b.name
	})
	t0 := time.Now()
	for _, id := range ids {
		if err := w.poll(w.tails[id]); err != nil {
			return err
		}
	}
	t1 := time.Now()
	err := w.commit()
	if len(w.tails) > 0 {
		debugf("cycle: read and parse %v, wait for the commit before %v", t1.Sub(t0), time.Since(t1))
	}
	return err
}

// checkPending takes up the copies whose generation has ended.
func (w *watcher) checkPending() {
	for id, p := range w.pending {
		if o, live := w.tails[p.of]; live && o.gen == p.ofGen {
			continue
		}
		delete(w.pending, id)
		f, err := os.Open(p.name)
		if err != nil {
			continue
		}
		fi, err := f.Stat()
		if err != nil || idOf(fi) != id {
			f.Close()
			continue
		}
		t := &tail{id: id, name: p.name, f: f, seen: true, grew: time.Now(), mtime: fi.ModTime().UnixNano(),
			base: store.Source{Key: w.newKey(p.name, id), Path: p.name}}
		w.tails[id] = t
	}
}

// decide settles what a new file with data is: a copy of a followed file
// (held back until that file's generation ends), a copy of an ended
// generation (read from where that ended), or a new file (read from 0).
// It returns false when the file is held back or skipped (binary).
func (w *watcher) decide(t *tail, size int64) bool {
	head := readHead(t.f, min(size, ingest.FingerprintLen))
	if len(head) == 0 {
		return true
	}
	if (w.cfg.Ingest.Format == "" || w.cfg.Ingest.Format == "auto") && ingest.IsEVTX(head) {
		w.cfg.Warn(fmt.Sprintf("%s: skipped: a Windows event log (.evtx), which watch does not follow; read it with loghunt ingest", t.name))
		w.skipped[t.id] = true
		return false
	}
	if (w.cfg.Ingest.Format == "" || w.cfg.Ingest.Format == "auto") && ingest.IsBinary(head) {
		w.cfg.Warn(fmt.Sprintf("%s: skipped: looks like a binary file, not a log", t.name))
		w.skipped[t.id] = true
		return false
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 && len(head) >= minPrefix {
		for _, o := range w.tails {
			if o == t || o.stream == nil && o.readOff == 0 {
				continue
			}
			oh := readHead(o.f, min(int64(len(head)), ingest.FingerprintLen))
			if n := min(len(oh), len(head)); n > i && bytes.Equal(oh[:n], head[:n]) {
				debugf("%s: pending copy of %s", t.name, o.name)
				w.pending[t.id] = &pendingCopy{name: t.name, of: o.id, ofGen: o.gen}
				return false
			}
		}
	}
	debugf("%s (%d): size %d head %d bytes, %d gens, %d tails", t.name, t.id.ino, size, len(head), len(w.gens), len(w.tails))
	for i := len(w.gens) - 1; i >= 0; i-- {
		g := w.gens[i]
		if g.Src.FingerprintLen < minPrefix || int64(len(head)) < g.Src.FingerprintLen ||
			ingest.Fingerprint(head, g.Src.FingerprintLen) != g.Src.Fingerprint {
			continue
		}
		// A copy of that generation: stored up to g's offset already.
		debugf("%s: copy of gen %q offset %d", t.name, g.key, g.Src.Offset)
		t.base.Name = g.Src.Name
		t.base.Sourcetype = g.Src.Sourcetype
		t.base.Offset = min(g.Src.Offset, size)
		t.base.Lines = g.Src.Lines
		t.readOff = t.base.Offset
		t.fpLen = int64(len(head))
		t.fp = ingest.Fingerprint(head, t.fpLen)
		t.base.Fingerprint, t.base.FingerprintLen = t.fp, t.fpLen
		t.base.Device, t.base.Inode, t.base.ModTime = t.id.dev, t.id.ino, t.mtime
		w.genDels = append(w.genDels, g.key)
		w.gens = append(w.gens[:i], w.gens[i+1:]...)
		w.puts = append(w.puts, t.base)
		return true
	}
	return true
}

// poll reads what is new in t and parses its whole lines.
func (w *watcher) poll(t *tail) error {
	fi, err := t.f.Stat()
	if err != nil {
		return nil
	}
	size := fi.Size()
	now := time.Now()
	if !t.decided {
		if size == 0 {
			if t.orphan {
				w.close(t)
			}
			return nil
		}
		t.decided = true
		if !w.decide(t, size) {
			t.f.Close()
			delete(w.tails, t.id)
			return nil
		}
	}
	if t.fpLen > 0 && (size != t.lastSize || fi.ModTime().UnixNano() != t.lastMod) {
		head := readHead(t.f, t.fpLen)
		if size < t.readOff || int64(len(head)) < t.fpLen || ingest.Fingerprint(head, t.fpLen) != t.fp {
			// Truncated (copy-truncate) or rewritten in place: finish
			// what was read as this generation, then read it anew.
			if err := w.parse(t, true); err != nil {
				return err
			}
			src := t.base
			if t.stream != nil {
				src = t.stream.Source()
			}
			w.retire(src)
			t.base = newGeneration(src)
			t.stream, t.buf, t.readOff, t.fp, t.fpLen = nil, nil, 0, 0, 0
			t.gen++
			debugf("%s: truncated at %d (size %d)", t.name, src.Offset, size)
			w.stats.Truncation++
		}
	}
	t.lastSize, t.lastMod = size, fi.ModTime().UnixNano()
	if size > t.readOff && w.budget > 0 {
		n := min(size-t.readOff, w.budget)
		start := len(t.buf)
		t.buf = growTo(t.buf, start+int(n))
		got, err := t.f.ReadAt(t.buf[start:], t.readOff)
		t.buf = t.buf[:start+got]
		if err != nil && !errors.Is(err, io.EOF) {
			w.warnOnce(t.name, fmt.Sprintf("%s: read: %v", t.name, err))
		}
		t.readOff += int64(got)
		w.budget -= int64(got)
		if got > 0 {
			t.grew = now
			t.mtime = fi.ModTime().UnixNano()
		}
	}
	if t.fpLen < ingest.FingerprintLen && t.readOff > t.fpLen {
		t.fpLen = min(t.readOff, ingest.FingerprintLen)
		t.fp = ingest.Fingerprint(readHead(t.f, t.fpLen), t.fpLen)
	}
	// Idle: nothing new for the time-out, and nothing left unread (a
	// file the read budget passed over this cycle is not idle: its
	// unterminated piece is the start of a line it holds the rest of).
	idle := now.Sub(t.grew) >= w.cfg.Idle && t.readOff >= size
	final := t.orphan && idle && t.readOff >= size
	if err := w.parse(t, final || idle); err != nil {
		return err
	}
	if final {
		w.close(t)
	}
	return nil
}

// close stops following t: its generation has ended.
func (w *watcher) close(t *tail) {
	debugf("%s: close", t.name)
	if t.stream != nil {
		w.retire(t.stream.Source())
	}
	t.f.Close()
	delete(w.tails, t.id)
	w.stats.Rotations++
}

func growTo(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, n+n/4) // not doubled: a batch is bounded by MaxBatch
	copy(nb, b)
	return nb
}

// parse parses t's whole lines (all of its bytes when whole is set) into
// a batch for the commit.
func (w *watcher) parse(t *tail, whole bool) error {
	data := t.buf
	if len(data) == 0 {
		return nil
	}
	cut := bytes.LastIndexByte(data, '\n') + 1
	if rest := len(data) - cut; whole {
		cut = len(data)
	} else if rest >= ingest.MaxEvent {
		cut += rest / ingest.MaxEvent * ingest.MaxEvent // pieces of an over-long line
	}
	if cut == 0 {
		return nil
	}
	if t.stream == nil {
		head := readHead(t.f, ingest.HeadLen)
		if t.base.Offset == 0 {
			head = data[:min(len(data), ingest.HeadLen)]
		}
		s, err := ingest.NewStream(w.cfg.Ingest, t.base, head)
		if err != nil {
			msg := fmt.Sprintf("%s: not followed: %v", t.name, err)
			if errors.Is(err, ingest.ErrBinary) {
				msg = fmt.Sprintf("%s: skipped: looks like a binary file, not a log", t.name)
			}
			w.cfg.Warn(msg)
			w.skipped[t.id] = true
			t.f.Close()
			delete(w.tails, t.id)
			return nil
		}
		t.stream = s
	}
	t.stream.SetIdentity(t.fp, t.fpLen, t.id.dev, t.id.ino, t.mtime)
	b, err := t.stream.Parse(w.work, data[:cut])
	if err != nil {
		return err
	}
	w.batches = append(w.batches, b)
	n := copy(t.buf, data[cut:])
	t.buf = t.buf[:n]
	if cap(t.buf) > 4<<20 && n < 1<<20 && cut < 1<<20 {
		t.buf = append([]byte(nil), t.buf...) // the burst is over: let its buffer go
	}
	return nil
}

// commit hands the parsed batches, records and generations to a commit
// that stores them in one transaction and then runs the hook, with the
// store open only meanwhile. The commit runs while the next cycle reads
// and parses (a watch catching up uses both cores while one commits);
// it waits first for the commit before it, so commits keep their order.
func (w *watcher) commit() error {
	if err := w.wait(); err != nil {
		return err
	}
	hookDue := w.cfg.Hook != nil && time.Since(w.lastHook) >= w.cfg.HookEvery
	if len(w.batches) == 0 && len(w.puts) == 0 && len(w.genPuts) == 0 && len(w.genDels) == 0 && !hookDue {
		return nil
	}
	c := &inflight{batches: w.batches, puts: w.puts, genPuts: w.genPuts, genDels: w.genDels, done: make(chan struct{})}
	w.batches, w.puts, w.genPuts, w.genDels = nil, nil, nil, nil
	var events int64
	for _, b := range c.batches {
		events += b.Events
	}
	runHook := w.cfg.Hook != nil && (events > 0 || hookDue)
	if runHook {
		w.lastHook = time.Now()
	}
	w.flight = c
	go func() {
		defer close(c.done)
		c.err = w.store(c, runHook)
	}()
	return nil
}

// inflight is a commit under way.
type inflight struct {
	batches []*ingest.Batch
	puts    []store.Source
	genPuts []gen
	genDels []string
	done    chan struct{}
	err     error
	took    time.Duration
}

// wait waits for the commit under way, if any, and counts what it stored.
func (w *watcher) wait() error {
	c := w.flight
	if c == nil {
		return nil
	}
	<-c.done
	w.flight = nil
	if c.err != nil {
		return c.err
	}
	if len(c.batches) > 0 || len(c.puts) > 0 || len(c.genPuts) > 0 || len(c.genDels) > 0 {
		for _, b := range c.batches {
			w.stats.Lines += b.Lines
			w.stats.Events += b.Events
			w.stats.Flagged += b.Flagged
			w.stats.Bytes += b.Bytes
		}
		w.stats.Commits++
	}
	w.stats.LastCommit = c.took
	debugf("commit: %d batches in %v", len(c.batches), c.took)
	return nil
}

// store is a commit: it runs on its own goroutine and touches only c,
// the store and the hook.
func (w *watcher) store(c *inflight, runHook bool) error {
	start := time.Now()
	defer func() { c.took = time.Since(start) }()
	db, err := w.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if len(c.batches) > 0 || len(c.puts) > 0 || len(c.genPuts) > 0 || len(c.genDels) > 0 {
		err = db.Write(func(tx *store.WriteTx) error {
			for i := range c.puts {
				if err := tx.PutSource(&c.puts[i]); err != nil {
					return err
				}
			}
			for _, b := range c.batches {
				if err := b.Put(tx); err != nil {
					return err
				}
			}
			if len(c.genPuts) == 0 && len(c.genDels) == 0 {
				return nil
			}
			r, err := tx.Records(recordBucket)
			if err != nil {
				return err
			}
			for _, g := range c.genPuts {
				v, err := json.Marshal(g.Src)
				if err != nil {
					return err
				}
				if err := r.Put([]byte(g.key), v); err != nil {
					return err
				}
			}
			for _, k := range c.genDels {
				if err := r.Delete([]byte(k)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("commit to %s: %w", w.cfg.DB, err)
		}
	}
	if runHook {
		if err := w.cfg.Hook.AfterCommit(w.work, db); err != nil {
			w.cfg.Warn(fmt.Sprintf("hook: %v", err))
		}
	}
	return nil
}
