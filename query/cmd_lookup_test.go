package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLookupCmd enriches the four events of semanticsStore from a CSV: the
// first CSV row of a key wins, a row without a match (or without the key
// field) gets no field, every other column comes without OUTPUT, and AS
// matches the CSV's key column against another event field.
func TestLookupCmd(t *testing.T) {
	s := semanticsStore(t)
	csv := filepath.Join(t.TempDir(), "staff.csv")
	body := "user,dept,n\nbob,ops,1\nalice,sales,2\nbob,dup,3\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	q := func(s string) string { return strings.ReplaceAll(s, "F", `"`+csv+`"`) }
	checkQueries(t, s, []queryCase{
		{q("* | lookup F user OUTPUT dept | table user, dept"), "[[user dept] [alice sales] [bob ops] [bob ops] [carol ]]"},
		{q("* | lookup F user | stats count by dept"), "[[dept count] [ops 2] [sales 1]]"},
		{q("* | eval who = user | fields - user | lookup F user as who OUTPUT dept | table who, dept"), "[[who dept] [alice sales] [bob ops] [bob ops] [carol ]]"},
	})
	if _, err := s.tryRun(`* | lookup "` + filepath.Join(t.TempDir(), "missing.csv") + `" user`); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing lookup file: %v", err)
	}
}

// TestLookupNoMatchKeepsOutputs: a row without a match keeps the output
// fields it has. The planner took OUTPUT's fields for ones lookup makes
// and did not read them from the store, so alice lost her n.
func TestLookupNoMatchKeepsOutputs(t *testing.T) {
	s := semanticsStore(t)
	csv := filepath.Join(t.TempDir(), "staff.csv")
	if err := os.WriteFile(csv, []byte("user,n\nbob,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkQueries(t, s, []queryCase{
		{`* | lookup "` + csv + `" user OUTPUT n | table user, n`, "[[user n] [alice 10] [bob 1] [bob 1] [carol ]]"},
	})
}
