package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/store"
	"loghunt/store/storetest"
)

// TestOverLongLinePieces: a line over MaxEvent is stored in pieces, every
// one flagged truncated=true, that together are the line; the pieces are
// one line (the one the warning names), so the lines after it keep their
// numbers and the file's line count is right.
func TestOverLongLinePieces(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "auth.log")
	long := "Mar  6 08:00:02 web01 app[7]: " + strings.Repeat("z", MaxEvent+1000)
	lines := []string{
		"Mar  6 08:00:01 bastion sshd[1]: Accepted password for root from 203.0.113.5 port 1 ssh2",
		long,
		"Mar  6 08:00:03 bastion sshd[2]: Accepted password for bob from 203.0.113.6 port 2 ssh2",
		"Mar  6 08:00:04 bastion sshd[3]: bad line here",
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, warns := ingestPaths(t, db, Config{Year: 2025}, path)
	if sum.Lines != 4 || sum.Events != 5 {
		t.Errorf("lines %d events %d, want 4 lines in 5 events", sum.Lines, sum.Events)
	}
	w := strings.Join(warns, "\n")
	if !strings.Contains(w, "line 2: longer than 16 MiB") || strings.Contains(w, "line 5") {
		t.Errorf("warnings %q: want the long line named as line 2, and no line 5", warns)
	}
	var raws []string
	var truncated []bool
	var times []int64
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
		return [3][]store.Value{r, tr, ts}, err
	}, func(_ *store.Chunk, v any) error {
		cols := v.([3][]store.Value)
		for i, r := range cols[0] {
			times = append(times, cols[2][i].I)
			raws = append(raws, r.S)
			truncated = append(truncated, cols[1][i].K == store.KindBool && cols[1][i].I == 1)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pieces []string
	for i, r := range raws {
		isPiece := strings.HasPrefix(r, "Mar  6 08:00:02") || strings.HasPrefix(r, "zzz")
		if isPiece {
			pieces = append(pieces, r)
			// The later piece is in the next chunk (a block holds 8 MiB):
			// it takes the time of the line's start all the same.
			if want := time.Date(2025, 3, 6, 8, 0, 2, 0, time.UTC).UnixNano(); times[i] != want {
				t.Errorf("piece %d at %s, want the line's time", len(pieces), time.Unix(0, times[i]).UTC())
			}
		}
		if truncated[i] != isPiece {
			t.Errorf("event %d (%.30q...): truncated=%v", i, r, truncated[i])
		}
	}
	if len(pieces) != 2 || strings.Join(pieces, "") != long {
		t.Errorf("%d pieces, together %d bytes; want 2 pieces making the %d-byte line", len(pieces), len(strings.Join(pieces, "")), len(long))
	}
}
