package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loghunt/store"
	"loghunt/store/storetest"
)

// rawsOf returns every event's _raw and the number of truncated ones.
func rawsOf(t *testing.T, db *store.DB) ([]string, int) {
	t.Helper()
	var raws []string
	trunc := 0
	_, err := db.Scan(context.Background(), store.AllTime, func(c *store.Chunk) (any, error) {
		r, err := c.Values(store.ColRaw)
		if err != nil {
			return nil, err
		}
		tr, err := c.Values("truncated")
		return [2][]store.Value{r, tr}, err
	}, func(_ *store.Chunk, v any) error {
		cols := v.([2][]store.Value)
		for i, r := range cols[0] {
			raws = append(raws, r.S)
			if cols[1][i].K == store.KindBool {
				trunc++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return raws, trunc
}

// TestStreamMatchesIngest: a file parsed by a Stream in pieces (one of
// them ending inside an over-long line, at a multiple of MaxEvent) stores
// the same events, and a source record at the same offset and line, as
// Ingest of the whole file.
func TestStreamMatchesIngest(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, "Mar  6 08:%02d:%02d web01 sshd[%d]: Failed password for root from 203.0.113.%d port 22 ssh2\n", i/60%60, i%60, i, i%250)
	}
	long := "Mar  6 09:00:00 web01 app[7]: " + strings.Repeat("y", 2*MaxEvent+500) + "\n"
	b.WriteString(long)
	b.WriteString("Mar  6 09:00:01 web01 sshd[9]: Accepted password for bob from 203.0.113.9 port 22 ssh2\n")
	data := []byte(b.String())
	path := filepath.Join(t.TempDir(), "auth.log")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	whole := storetest.Open(t)
	ingestPaths(t, whole, Config{Year: 2026}, path)
	wantRaws, wantTrunc := rawsOf(t, whole)
	wantSrc, _ := whole.Sources()

	db := storetest.Open(t)
	s, err := NewStream(Config{Year: 2026}, store.Source{Key: "k", Path: path}, data[:HeadLen])
	if err != nil {
		t.Fatal(err)
	}
	longAt := strings.Index(string(data), long)
	cuts := []int{strings.Index(string(data[1000:]), "\n") + 1001, longAt, longAt + MaxEvent, len(data)}
	prev := 0
	for _, c := range cuts {
		bt, err := s.Parse(context.Background(), data[prev:c])
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Write(bt.Put); err != nil {
			t.Fatal(err)
		}
		prev = c
	}
	raws, trunc := rawsOf(t, db)
	src, _, _ := db.GetSource("k")
	if len(raws) != len(wantRaws) || trunc != wantTrunc || trunc != 3 {
		t.Fatalf("stream stored %d events (%d truncated), ingest %d (%d)", len(raws), trunc, len(wantRaws), wantTrunc)
	}
	for i := range raws {
		if raws[i] != wantRaws[i] {
			t.Fatalf("event %d differs: %.60q vs %.60q", i, raws[i], wantRaws[i])
		}
	}
	if src.Offset != int64(len(data)) || src.Offset != wantSrc[0].Offset || src.Lines != wantSrc[0].Lines || src.Events != wantSrc[0].Events {
		t.Fatalf("stream source %+v, ingest %+v", src, wantSrc[0])
	}
}
