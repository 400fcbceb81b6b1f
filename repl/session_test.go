package repl

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peterh/liner"
)

// TestNoLockWhileIdle ingests into the store between two queries, as
// `loghunt ingest` in another terminal would: the REPL must not hold the
// file at the prompt, and the second query must see the new events.
func TestNoLockWhileIdle(t *testing.T) {
	dbPath := testDB(t, 30)
	f := &fakeReader{lines: []string{"| stats count", "| stats count", ".fields"}}
	f.before = func(i int) {
		if i == 1 {
			ingestFile(t, dbPath, "more.log", day.Add(time.Hour), 12)
		}
	}
	out := session(t, dbPath, f, nil)
	if !strings.Contains(out, "count\n-----\n   30\n") || !strings.Contains(out, "count\n-----\n   42\n") {
		t.Errorf("the second query did not see the new events:\n%s", out)
	}
}

func TestIngestCommand(t *testing.T) {
	dbPath := testDB(t, 30)
	more := filepath.Join(t.TempDir(), "more.log")
	writeLog(t, more, day.Add(time.Hour), 5)
	out := session(t, dbPath, &fakeReader{lines: []string{".ingest " + more, "| stats count"}}, nil)
	if !strings.Contains(out, "ingested 1 file: 5 lines, 5 events in ") || !strings.Contains(out, "   35\n") {
		t.Errorf(".ingest did not add the events:\n%s", out)
	}
}

func TestHistoryFile(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	path, err := HistoryPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(state, "loghunt", "history"); path != want {
		t.Fatalf("history path %s, want %s", path, want)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("history directory: %v, %v", fi.Mode(), err)
	}
	for i, q := range []string{"| stats count by status", "| head 3"} {
		ln := liner.NewLiner()
		h := &history{historyStore: ln, path: path, stderr: os.Stderr}
		h.load()
		h.AppendHistory(q)
		ln.Close()
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("session %d: history file %v, %v", i, fi.Mode(), err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "| stats count by status\n| head 3\n" {
		t.Errorf("history file:\n%s", data)
	}
}

func TestRunScriptStdin(t *testing.T) {
	var out, errOut bytes.Buffer
	r, err := New(Config{DB: testDB(t, 30), Stdout: &out, Stderr: &errOut, Format: "csv"})
	if err != nil {
		t.Fatal(err)
	}
	in := `# count by status
| stats count by status |

  sort -count | head 1;
| stast
.format json
status=500 | stats count
`
	err = r.RunScript(context.Background(), strings.NewReader(in))
	if err == nil || err.Error() != "1 of 4 queries and commands failed" {
		t.Errorf("RunScript: %v", err)
	}
	wantOut := "# stdin:2\n# | stats count by status |\n# \n#   sort -count | head 1\nstatus,count\n200,10\n\n" +
		"# stdin:5\n# | stast\nformat: json\n\n# stdin:7\n# status=500 | stats count\n{\"count\":10}\n"
	if out.String() != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), wantOut)
	}
	if !strings.Contains(errOut.String(), "stdin:5: query error:\n| stast\n  ^ ") {
		t.Errorf("stderr:\n%s", errOut.String())
	}
}

func TestMissingDB(t *testing.T) {
	_, err := New(Config{DB: filepath.Join(t.TempDir(), "none.db")})
	if err == nil || !strings.Contains(err.Error(), "ingest PATH") {
		t.Errorf("New on a missing db: %v", err)
	}
}

func TestRunAndModels(t *testing.T) {
	dbPath := testDB(t, 30)
	script := filepath.Join(t.TempDir(), "hunt.lhq")
	if err := os.WriteFile(script, []byte("# 404s\nstatus=404 |\n  stats count\n\n| stats dc(clientip) as ips\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := session(t, dbPath, &fakeReader{lines: []string{".run " + script, ".models", ".run"}}, nil)
	for _, want := range []string{
		"# " + script + ":2\n# status=404 |\n#   stats count\ncount\n-----\n   10\n1 row in ",
		"# " + script + ":5\n# | stats dc(clientip) as ips\nips\n---\n  5\n1 row in ",
		"no saved models",
		"error: usage: .run SCRIPT.lhq",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSaveModel saves an anomalies model from the REPL, which opens the
// store writable for that query alone, and lists it with .models.
func TestSaveModel(t *testing.T) {
	dbPath := testDB(t, 60)
	out := session(t, dbPath, &fakeReader{lines: []string{
		"| bin _time span=1m | stats count by _time | anomalies count save=perminute",
		".models",
	}}, nil)
	if !strings.Contains(out, "perminute  iforest  count") {
		t.Errorf(".models does not list the saved model:\n%s", out)
	}
}

// TestRunDotCommands: .run obeys the dot-commands of the script as the
// REPL does (.format csv), checks them all before running any query, and
// stops at .quit.
func TestRunDotCommands(t *testing.T) {
	dbPath := testDB(t, 30)
	dir := t.TempDir()
	script := filepath.Join(dir, "hunt.lhq")
	if err := os.WriteFile(script, []byte(".format csv\nstatus=404 | stats count\n.quit\n| stats count as never\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	typo := filepath.Join(dir, "typo.lhq")
	if err := os.WriteFile(typo, []byte("| stats count as first\n\n.fromat csv\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := session(t, dbPath, &fakeReader{lines: []string{".run " + script, ".format table", ".run " + typo}}, nil)
	for _, want := range []string{
		"# " + script + ":1\n# .format csv\nformat: csv\n",
		"# " + script + ":2\n# status=404 | stats count\ncount\n10\n1 row in ",
		"error: " + typo + ":3: unknown command .fromat (did you mean \".format\"?)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "never") || strings.Contains(out, "first") {
		t.Errorf("a query after .quit, or before a bad command, ran:\n%s", out)
	}
}

// TestWarningsShown: the REPL shows a query's warnings (a field no event
// has), before its row count.
func TestWarningsShown(t *testing.T) {
	out := session(t, testDB(t, 30), &fakeReader{lines: []string{
		"| stats count by stauts",
		"| eval s = status | stats count by s | head 1",
	}}, nil)
	want := "warning: field \"stauts\" in by of stats: no event has it (did you mean \"status\"?)\n0 rows in "
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if strings.Count(out, "warning:") != 1 {
		t.Errorf("want one warning:\n%s", out)
	}
}
