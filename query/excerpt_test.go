package query

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"loghunt/ingest"
	"loghunt/store/storetest"
)

// excerpt files in the repository: verbatim lines of real logs (see
// ingest/testdata/SOURCE.md and rules/testdata/README.md).
var (
	webExcerpt     = filepath.Join("..", "rules", "testdata", "web_excerpt.log")
	authExcerpt    = filepath.Join("..", "rules", "testdata", "auth_dfrws_excerpt.log")
	windowsExcerpt = filepath.Join("..", "ingest", "testdata", "windows_otrf.jsonl")
	zeekExcerpt    = filepath.Join("..", "ingest", "testdata", "zeek_apt29.jsonl")
)

// excerptDB ingests the given real log excerpts into a fresh store.
func excerptDB(t *testing.T, files ...string) *testStore {
	t.Helper()
	db := storetest.Open(t)
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2015}, files, nil); err != nil {
		t.Fatal(err)
	}
	return &testStore{db, t}
}

// column returns the values of field in rows as run returns them.
func column(t *testing.T, rows [][]string, field string) []string {
	t.Helper()
	if len(rows) == 0 {
		t.Fatalf("no rows")
	}
	i := slices.Index(rows[0], field)
	if i < 0 {
		t.Fatalf("no column %s in %q", field, rows[0])
	}
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}
