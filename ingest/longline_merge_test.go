package ingest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/store"
	"loghunt/store/storetest"
)

// piecesEvent is a stored event as the over-long line tests see it.
type piecesEvent struct {
	raw       string
	time      time.Time
	truncated bool
}

// piecesEvents returns every stored event with its time and truncated
// flag, in scan order.
func piecesEvents(t *testing.T, db *store.DB) []piecesEvent {
	t.Helper()
	var out []piecesEvent
	_, err := db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		r, err := c.Values(store.ColRaw)
		if err != nil {
			return nil, err
		}
		tr, err := c.Values("truncated")
		if err != nil {
			return nil, err
		}
		ts, err := c.Values(store.ColTime)
		if err != nil {
			return nil, err
		}
		var evs []piecesEvent
		for i := range r {
			evs = append(evs, piecesEvent{r[i].S, time.Unix(0, ts[i].I).UTC(), tr[i].K == store.KindBool && tr[i].I == 1})
		}
		return evs, nil
	}, func(_ *store.Chunk, v any) error {
		out = append(out, v.([]piecesEvent)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOverLongLineYearSequence: without --year, the pieces of an
// over-long syslog line are in the year the file's sequence gives the
// line, the later piece (in a block of its own) too, not the year the
// line's date alone would get from the modification time. The file is
// SecRepo's shape: Nov 30 to Dec 31, copied on Dec 2 of the next year.
func TestOverLongLineYearSequence(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "auth.log")
	long := "Nov 30 06:40:00 web01 app[7]: " + strings.Repeat("z", MaxEvent+1000)
	lines := []string{
		"Nov 30 06:39:00 bastion sshd[1]: Accepted password for root from 203.0.113.5 port 1 ssh2",
		long,
		"Dec 31 22:27:48 bastion sshd[2]: Accepted password for bob from 203.0.113.6 port 2 ssh2",
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
	sum, _ := ingestPaths(t, db, Config{}, path)
	if sum.Lines != 3 || sum.Events != 4 {
		t.Errorf("lines %d events %d, want 3 lines in 4 events", sum.Lines, sum.Events)
	}
	var pieces []string
	for _, e := range piecesEvents(t, db) {
		if e.time.Year() != 2025 {
			t.Errorf("%.30q... at %v, want 2025 as the rest of the file", e.raw, e.time)
		}
		if e.truncated {
			pieces = append(pieces, e.raw)
			if want := time.Date(2025, 11, 30, 6, 40, 0, 0, time.UTC); !e.time.Equal(want) {
				t.Errorf("piece %d at %v, want the line's time %v", len(pieces), e.time, want)
			}
		}
	}
	if len(pieces) != 2 || strings.Join(pieces, "") != long {
		t.Errorf("%d pieces, want 2 making the line", len(pieces))
	}
}

// TestOverLongLineNULRuns: a run of NUL bytes inside an over-long line
// ends it as it ends any line, where a piece ends too, and the text after
// it is an event of its own, not a piece; fewer than minNULRun NULs where
// a piece ends are text of the line.
func TestOverLongLineNULRuns(t *testing.T) {
	head := "Mar  6 08:00:02 web01 app[7]: "
	body := strings.Repeat("z", MaxEvent-len(head)) // the first piece: exactly MaxEvent bytes
	after := "Mar  6 08:00:03 bastion sshd[2]: Accepted password for bob from 203.0.113.6 port 2 ssh2"
	for _, tc := range []struct {
		name       string
		rest       string   // what follows the first piece's bytes, up to the newline
		wantPieces []string // the truncated events after the first piece
		wantOthers []string // the other events, after the first line
		wantWarn   bool
	}{
		{"run after 500 bytes of the second piece", strings.Repeat("y", 500) + strings.Repeat("\x00", 4096) + "tail",
			[]string{strings.Repeat("y", 500)}, []string{"tail", after}, true},
		{"run where a piece ends", strings.Repeat("\x00", 4096) + "tail",
			nil, []string{"tail", after}, true},
		{"two NULs where a piece ends", "\x00\x00" + strings.Repeat("y", 500),
			[]string{"\x00\x00" + strings.Repeat("y", 500)}, []string{after}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.Open(t)
			path := filepath.Join(t.TempDir(), "auth.log")
			text := "Mar  6 08:00:01 bastion sshd[1]: Accepted password for root from 203.0.113.5 port 1 ssh2\n" +
				head + body + tc.rest + "\n" + after + "\n"
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, warns := ingestPaths(t, db, Config{Year: 2025}, path)
			evs := piecesEvents(t, db)
			if len(evs) < 2 || evs[1].raw != head+body || !evs[1].truncated {
				t.Fatalf("%d events; want the line's first piece second, flagged", len(evs))
			}
			var pieces, others []string
			for _, e := range evs[2:] {
				if e.truncated {
					pieces = append(pieces, e.raw)
					if want := time.Date(2025, 3, 6, 8, 0, 2, 0, time.UTC); !e.time.Equal(want) {
						t.Errorf("piece at %v, want the line's time", e.time)
					}
				} else {
					others = append(others, e.raw)
				}
			}
			if strings.Join(pieces, "|") != strings.Join(tc.wantPieces, "|") {
				t.Errorf("later pieces %d %.20q, want %d %.20q", len(pieces), pieces, len(tc.wantPieces), tc.wantPieces)
			}
			slices.Sort(others) // a chunk keeps its events in time order
			if want := slices.Sorted(slices.Values(tc.wantOthers)); !slices.Equal(others, want) {
				t.Errorf("other events %.40q, want %.40q", others, tc.wantOthers)
			}
			w := strings.Join(warns, "\n")
			if got := strings.Contains(w, "NUL bytes"); got != tc.wantWarn {
				t.Errorf("warnings %q: NUL warning %v, want %v", warns, got, tc.wantWarn)
			}
		})
	}
}
