package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"loghunt/store/storetest"
)

// authLines returns n sshd lines, each unique.
func authLines(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("Mar  6 08:%02d:%02d bastion sshd[%d]: Failed password for root from 203.0.113.%d port %d ssh2",
			i/60%60, i%60, 1000+i, i%250, 40000+i))
	}
	return out
}

// TestIngestNULRuns: a run of NULs (what a crash leaves) ends the event
// before it and is dropped with a warning naming the file and its byte
// offset; the text after it is an event of its own.
func TestIngestNULRuns(t *testing.T) {
	lines := authLines(1000)
	lines[500] = "Mar  6 09:00:00 bastion sshd[9]: Invalid user admin from 198.51.100.7 port 4242"
	nul := string(make([]byte, 4096))
	var b strings.Builder
	for i, l := range lines[:500] {
		b.WriteString(l + "\n")
		_ = i
	}
	off1 := b.Len()
	b.WriteString(nul) // after a whole line
	for _, l := range lines[500:700] {
		b.WriteString(l + "\n")
	}
	// A line cut short by the crash, then NULs, then the next line.
	b.WriteString("Mar  6 09:30:00 bastion sshd[10]: Accepted pass")
	off2 := b.Len()
	b.WriteString(nul[:1000])
	b.WriteString("word for alice from 10.0.0.7 port 2 ssh2\n") // no timestamp: still its own event
	for _, l := range lines[700:] {
		b.WriteString(l + "\n")
	}
	off3 := b.Len()
	b.WriteString(nul[:512]) // the tail of the file
	path := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	sum, warns := ingestPaths(t, db, Config{Year: 2025}, path)
	want := slices.Concat(lines[:700], []string{"Mar  6 09:30:00 bastion sshd[10]: Accepted pass", "word for alice from 10.0.0.7 port 2 ssh2"}, lines[700:])
	// The fragment after the second run has no timestamp: it is flagged.
	if sum.Events != int64(len(want)) || sum.Skipped != 0 || sum.Flagged != 1 {
		t.Errorf("%d events (%+v), want %d", sum.Events, sum, len(want))
	}
	got := raws(allEvents(t, db))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stored events differ from the lines (first diff %d)", firstDiff(got, want))
	}
	wantWarn := fmt.Sprintf("%s: dropped 3 runs of NUL bytes (5608 bytes, what a crash leaves in a log) at byte offset %d (4096 bytes), %d (1000 bytes), %d (512 bytes)",
		path, off1, off2, off3)
	if len(warns) != 2 || !strings.HasPrefix(warns[1], wantWarn) {
		t.Errorf("warnings %q\nwant %q", warns, wantWarn)
	}
	// A single NUL inside a line is text and stays.
	path2 := filepath.Join(t.TempDir(), "one.log")
	os.WriteFile(path2, []byte("Mar  6 08:00:00 h a: x\x00y\nMar  6 08:00:01 h a: z\x00\x00\x00w\n"), 0o644)
	db2 := storetest.Open(t)
	if sum, warns := ingestPaths(t, db2, Config{Year: 2025}, path2); sum.Events != 2 || len(warns) != 0 {
		t.Errorf("short NUL runs: %+v %q", sum, warns)
	}
}

// TestIngestNULRunsMany: past the few it lists, the warning counts the
// runs; a run split over the reader's buffers is one run.
func TestIngestNULRunsMany(t *testing.T) {
	var b bytes.Buffer
	lines := authLines(20)
	for _, l := range lines {
		b.WriteString(l + "\n")
		b.Write(make([]byte, 8))
	}
	b.Write(make([]byte, 3<<20)) // longer than a read
	path := filepath.Join(t.TempDir(), "auth.log")
	os.WriteFile(path, b.Bytes(), 0o644)
	db := storetest.Open(t)
	sum, warns := ingestPaths(t, db, Config{Year: 2025}, path)
	if sum.Events != 20 || len(warns) != 1 || !strings.Contains(warns[0], "dropped 20 runs of NUL bytes (3145888 bytes") ||
		!strings.Contains(warns[0], "and 15 more") {
		t.Errorf("%+v %q", sum, warns)
	}
}

// TestIsBinary: only a head that is mostly not text is binary; NUL runs
// and a few odd bytes leave a log a log.
func TestIsBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, headLen)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("Mar  6 08:00:00 h a: some text\n", 5000)))
	zw.Close()
	log := strings.Join(authLines(20), "\n") + "\n"
	utf16le := func(s string) []byte {
		var out []byte
		for _, u := range utf16.Encode([]rune(s)) {
			out = append(out, byte(u), byte(u>>8))
		}
		return out
	}
	cases := []struct {
		name   string
		head   []byte
		binary bool
	}{
		{"log", []byte(log), false},
		{"small log with a 4 KiB NUL block", []byte(log[:300] + string(make([]byte, 4096)) + log[300:]), false},
		{"log with single NULs", []byte(strings.ReplaceAll(log, "ssh2", "ssh\x002")), false},
		{"latin-1 log", []byte(strings.ReplaceAll(log, "root", "ren\xe9")), false},
		{"utf-8 log", []byte(strings.ReplaceAll(log, "root", "renée ünïcødé 日本")), false},
		{"coloured log", []byte(strings.ReplaceAll(log, "Failed", "\x1b[31mFailed\x1b[0m")), false},
		{"only NULs", make([]byte, 8192), true},
		{"only newlines and NULs", []byte("\n" + string(make([]byte, 8192))), false},
		{"empty", nil, false},
		{"random bytes", random, true},
		{"gzip data", gz.Bytes(), true},
		{"elf", append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 3000)...), true},
		// Half of UTF-16 text is NULs: not most, so it is not binary
		// (before, 1% of NULs made a file binary).
		{"utf-16 text", utf16le(log), false},
	}
	for _, c := range cases {
		if got := isBinary(c.head); got != c.binary {
			t.Errorf("%s: isBinary %v, want %v", c.name, got, c.binary)
		}
	}
}

// TestIngestSmallLogWithNULsIsALog: the old test (NULs over 1% of the
// first 8 KiB) skipped a small crashed log as binary.
func TestIngestSmallLogWithNULsIsALog(t *testing.T) {
	lines := authLines(20)
	content := strings.Join(lines[:10], "\n") + "\n" + string(make([]byte, 4096)) + strings.Join(lines[10:], "\n") + "\n"
	path := filepath.Join(t.TempDir(), "auth.log")
	os.WriteFile(path, []byte(content), 0o644)
	db := storetest.Open(t)
	sum, warns := ingestPaths(t, db, Config{Year: 2025}, path)
	if sum.Events != 20 || sum.Skipped != 0 || len(warns) != 1 || !strings.Contains(warns[0], "NUL") {
		t.Errorf("%+v %q", sum, warns)
	}
}

// TestIngestAllSkipped: when every input is skipped, nothing is stored
// and the ingest fails, saying so.
func TestIngestAllSkipped(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "blob.bin")
	os.WriteFile(bin, append([]byte("\x7fELF\x02\x01\x01\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 3000)...), 0o644)
	db := storetest.Open(t)
	sum, warns, err := ingestPathsErr(db, Config{}, bin, filepath.Join(dir, "missing.log"))
	if !errors.Is(err, ErrAllSkipped) || !strings.Contains(err.Error(), "1 skipped, 1 unreadable") || sum.Skipped != 1 || len(warns) != 2 {
		t.Errorf("err %v, %+v, %q", err, sum, warns)
	}
	// With one log among them, the ingest succeeds.
	logPath := filepath.Join(dir, "auth.log")
	writeFile(t, logPath, authLines(3), false)
	if sum, _, err := ingestPathsErr(db, Config{Year: 2025}, bin, logPath); err != nil || sum.Events != 3 {
		t.Errorf("err %v, %+v", err, sum)
	}
}

// FuzzSplitNUL: whatever NULs an input holds, the splitter keeps every
// other byte in order (newlines aside) and accounts for every NUL, kept
// in an event or reported as dropped.
func FuzzSplitNUL(f *testing.F) {
	f.Add([]byte("a\n\x00\x00\x00\x00b\n  c\x00\x00\x00\x00\x00d\n\x00e\x00f\n"))
	f.Add([]byte("\x00\x00"))
	f.Add([]byte("x\x00\x00\x00\ny\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		classify := func(l []byte) LineKind {
			switch {
			case len(l) == 0:
				return LineSkip
			case l[0] == ' ':
				return LineContinue
			}
			return LineEvent
		}
		in = bytes.ReplaceAll(in, []byte("\r"), nil) // CRs before newlines are trimmed: leave them out
		sp := newSplitter(bytes.NewReader(in), classify, 0, 0)
		var got []byte
		kept := 0
		for blk := sp.next(); blk != nil; blk = sp.next() {
			for i, end := range blk.ends {
				ev := blk.data[blk.start(i):end]
				kept += bytes.Count(ev, []byte{0})
				got = append(got, ev...)
			}
		}
		strip := func(b []byte) []byte {
			return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte{0}, nil), []byte("\n"), nil)
		}
		if !bytes.Equal(strip(got), strip(in)) {
			t.Fatalf("bytes lost or changed:\n got %q\nfrom %q", got, in)
		}
		if all := bytes.Count(in, []byte{0}); int64(kept)+sp.nulBytes != int64(all) {
			t.Fatalf("%d NULs: %d kept, %d dropped", all, kept, sp.nulBytes)
		}
	})
}
