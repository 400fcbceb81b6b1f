package repl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"loghunt/query"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peterh/liner"

	"loghunt/ingest"
	"loghunt/render"
	"loghunt/store"
)

// writeLog writes n Apache access log lines, one every second from from,
// with statuses 200, 404 and 500 in turn.
func writeLog(t *testing.T, path string, from time.Time, n int) {
	t.Helper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "10.0.0.%d - - [%s] \"GET /p/%d HTTP/1.1\" %d %d \"-\" \"agent\"\n", i%5,
			from.Add(time.Duration(i)*time.Second).Format("02/Jan/2006:15:04:05 -0700"), i, []int{200, 404, 500}[i%3], 100+i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

var day = time.Date(2025, 3, 6, 8, 0, 0, 0, time.UTC)

// ingestFile ingests a log of n lines into the store at dbPath, creating
// it; the store must not be locked by anyone.
func ingestFile(t *testing.T, dbPath, name string, from time.Time, n int) {
	t.Helper()
	logPath := filepath.Join(filepath.Dir(dbPath), name)
	writeLog(t, logPath, from, n)
	db, err := store.Open(dbPath, store.OpenOptions{Create: true, Wait: time.Second})
	if err != nil {
		t.Fatalf("open for ingest: %v", err)
	}
	defer db.Close()
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{}, []string{logPath}, nil); err != nil {
		t.Fatal(err)
	}
}

// fakeReader scripts the input: each line in turn, then io.EOF. A line
// "^C" is Ctrl-C (liner.ErrPromptAborted). before, when set, runs before
// the i-th line is returned.
type fakeReader struct {
	lines   []string
	prompts []string
	history []string
	before  func(i int)
}

func (f *fakeReader) Prompt(p string) (string, error) {
	f.prompts = append(f.prompts, p)
	i := len(f.prompts) - 1
	if i >= len(f.lines) {
		return "", io.EOF
	}
	if f.before != nil {
		f.before(i)
	}
	if f.lines[i] == "^C" {
		return "", liner.ErrPromptAborted
	}
	return f.lines[i], nil
}

func (f *fakeReader) AppendHistory(s string) { f.history = append(f.history, s) }

// session runs the REPL on db with the scripted lines and returns its
// output (stdout and stderr together).
func session(t *testing.T, dbPath string, f *fakeReader, setup func(*REPL)) string {
	t.Helper()
	var out bytes.Buffer
	r, err := New(Config{DB: dbPath, Stdout: &out, Stderr: &out, Format: render.Table})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(r)
	}
	if err := r.Loop(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "internal error") {
		t.Errorf("a panic was recovered:\n%s", out.String())
	}
	return out.String()
}

func testDB(t *testing.T, n int) string {
	dbPath := filepath.Join(t.TempDir(), "test.db")
	ingestFile(t, dbPath, "access.log", day, n)
	return dbPath
}

func TestTranscript(t *testing.T) {
	dbPath := testDB(t, 30)
	f := &fakeReader{lines: []string{
		"| stats count by status",
		"| stast count",
		"status=404 |",
		"  stats count as n",
		"^C",
		".help stats",
		".sources",
		".fields",
		".format csv",
		"| stats count by status | sort -count | head 1",
		".nope",
	}}
	out := session(t, dbPath, f, nil)
	for _, want := range []string{
		"status  count\n------  -----\n   200     10\n   404     10\n   500     10\n3 rows in ",
		"| stast count\n  ^ unknown stage \"stast\" (did you mean \"stats\"?)\n",
		"\nn\n--\n10\n1 row in ",
		"stats (stage)\n  stats AGG [as name], ... [by f, g]\n",
		"example:\n  stats count as attempts",
		"source", "access.log", "apache", "30",
		"clientip    string      30",
		"format: csv\nstatus,count\n200,10\n1 row in ",
		"error: unknown command .nope (.help lists the commands)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	wantPrompts := []string{Prompt, Prompt, Prompt, ContinuePrompt, Prompt, Prompt}
	if !slices.Equal(f.prompts[:6], wantPrompts) {
		t.Errorf("prompts %q, want %q", f.prompts[:6], wantPrompts)
	}
	if !slices.Contains(f.history, "status=404 | stats count as n") {
		t.Errorf("history %q lacks the two-line query on one line", f.history)
	}
}

func TestHelpLists(t *testing.T) {
	out := session(t, testDB(t, 3), &fakeReader{lines: []string{".help", ".quit", "| head 1"}}, nil)
	for _, want := range []string{"stages:", "timechart", "functions", "cidrmatch", ".ingest PATH...", ".format [table|csv|json"} {
		if !strings.Contains(out, want) {
			t.Errorf(".help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "row in") {
		t.Errorf("the query after .quit ran:\n%s", out)
	}
}

func TestPaging(t *testing.T) {
	out := session(t, testDB(t, 120), &fakeReader{lines: []string{"| table _time, status"}}, nil)
	if n := strings.Count(out, "2025-03-06T"); n != PageRows {
		t.Errorf("%d rows shown, want %d:\n%s", n, PageRows, out)
	}
	if !strings.Contains(out, "... 70 more rows (add | head, or .format csv to see all)\n120 rows in ") {
		t.Errorf("no page footer:\n%s", out)
	}
}

func TestComplete(t *testing.T) {
	r, err := New(Config{DB: testDB(t, 3), Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line, head string
		want       []string
	}{
		{"| st", "| ", []string{"stats", "streamstats"}},
		{"x | timechart sp", "x | timechart ", []string{"span="}},
		{"| stats sp", "| stats ", []string{"sparkline"}},
		{"| timechart span=1h per_m", "| timechart span=1h ", []string{"per_minute"}},
		{"| stats per_", "| stats ", nil},
		{"| anomalies bytes cont", "| anomalies bytes ", []string{"contamination="}},
		{"| stats count by cl", "| stats count by ", []string{"clientip"}},
		{"| where cidr", "| where ", []string{"cidrmatch("}},
		{"| stats di", "| stats ", nil},
		{`"a | st`, `"a | `, nil},
		{".fo", "", []string{".format"}},
		{".format j", ".format ", []string{"json"}},
		{".help time", ".help ", []string{"timechart"}},
	} {
		head, got := r.Complete(c.line)
		if head != c.head || !slices.Equal(got, c.want) {
			t.Errorf("Complete(%q) = %q, %q; want %q, %q", c.line, head, got, c.head, c.want)
		}
	}
	if _, got := r.Complete("| stats c"); !slices.Contains(got, "count") || !slices.Contains(got, "clientip") {
		t.Errorf("| stats c: %q lacks count or clientip", got)
	}
	// After a backquote: the macros, name( for one with arguments.
	r.cfg.Macros = func() (*query.Macros, error) {
		return query.ParseMacroFile("m.lhq", "failed = x\nfan(a) = $a$\nfan = y\nother = z\n")
	}
	for line, want := range map[string][]string{
		"`fa":            {"failed`", "fan(", "fan`"},
		"* | `o":         {"other`"},
		"* | table `id.": nil,
		"`x` | stats `o": {"other`"},
		".help mac":      {"macros"},
		"| table `cl":    {"clientip"},
	} {
		if _, got := r.Complete(line); !slices.Equal(got, want) {
			t.Errorf("Complete(%q) = %q, want %q", line, got, want)
		}
	}
}

// TestCompleteKeepsTypedText: liner puts the candidates' longest common
// prefix (case-sensitive) in place of the word, so "p" with fields path
// and PID once became "", deleting what was typed. After any completion
// the line still starts with what was typed before the cursor.
func TestCompleteKeepsTypedText(t *testing.T) {
	r, err := New(Config{DB: testDB(t, 3), Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	r.fields = dedupSorted(append(r.fields, "PID", "path", "User", "user", "USER_AGENT", "Count", "src_IP", "src_ip"))
	lines := []string{"| table p", "| table P", "| table pa", "| table u", "| table U", "| table Us", "| table US", "| table uS",
		"| stats co", "| stats Co", "| stats CO", "| table src_i", "| table SRC", "| ST", "| St", ".FO", ".help ST", "| where LE"}
	for _, line := range lines {
		for _, tail := range []string{"", " | head"} {
			full := line + tail
			head, cands, rest := r.WordCompleter(full, len(line))
			if len(cands) == 0 {
				continue
			}
			// What liner shows: the one candidate, or the common prefix.
			got := head + commonPrefix(cands) + rest
			if len(got) < len(line) || !strings.EqualFold(got[:len(line)], line) || !strings.HasSuffix(got, tail) {
				t.Errorf("Tab on %q with candidates %q gives %q: the typed text is lost", full, cands, got)
			}
		}
	}
	// The typed case picks between names that differ only in it; when
	// none has it, the typed text stays as typed.
	if _, got, _ := r.WordCompleter("| table p", 9); !slices.Equal(got, []string{"path", "protocol"}) {
		t.Errorf("| table p: %q, want [path protocol]", got)
	}
	if _, got, _ := r.WordCompleter("| table uS", 10); !slices.Equal(got, []string{"uSER_AGENT", "uSer", "uSeragent"}) {
		t.Errorf("| table uS: %q, want [uSER_AGENT uSer uSeragent]", got)
	}
}

// slowDB is a store whose scans last until they are cancelled.
type slowDB struct{ DB }

func (slowDB) Scan(ctx context.Context, _ store.ScanSpec, _ func(*store.Chunk) (any, error),
	_ func(*store.Chunk, any) error) (store.ScanStats, error) {
	<-ctx.Done()
	return store.ScanStats{}, ctx.Err()
}

func TestCancel(t *testing.T) {
	dbPath := testDB(t, 30)
	var took time.Duration
	var start time.Time
	f := &fakeReader{lines: []string{"| stats count by clientip", "| stats count"}}
	f.before = func(i int) {
		if i == 1 {
			took = time.Since(start)
		}
		start = time.Now()
	}
	slow := true
	out := session(t, dbPath, f, func(r *REPL) {
		open := r.open
		r.open = func() (DB, error) {
			db, err := open()
			if err != nil || !slow {
				return db, err
			}
			slow = false
			return slowDB{db}, nil
		}
		r.interrupt = func(cancel context.CancelFunc) func() {
			tm := time.AfterFunc(100*time.Millisecond, cancel)
			return func() { tm.Stop() }
		}
	})
	if took > time.Second {
		t.Errorf("the cancelled query took %v", took)
	}
	if !regexp.MustCompile(`query cancelled after 0\.\d+s`).MatchString(out) {
		t.Errorf("no cancellation reported:\n%s", out)
	}
	if !strings.Contains(out, "count\n-----\n   30\n1 row in ") {
		t.Errorf("the query after the cancelled one did not run:\n%s", out)
	}
}

func TestPanicRecovered(t *testing.T) {
	var out bytes.Buffer
	r, err := New(Config{DB: testDB(t, 3), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	r.open = func() (DB, error) { panic("BUG: boom") }
	if err := r.Loop(context.Background(), &fakeReader{lines: []string{"| head 1", ".format json"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "internal error (please report it): BUG: boom") || !strings.Contains(out.String(), "format: json") {
		t.Errorf("panic not reported, or the session ended:\n%s", out.String())
	}
}

// stubbornDB is a store whose scans ignore cancellation for a while.
type stubbornDB struct{ DB }

func (stubbornDB) Scan(context.Context, store.ScanSpec, func(*store.Chunk) (any, error),
	func(*store.Chunk, any) error) (store.ScanStats, error) {
	time.Sleep(3 * time.Second)
	return store.ScanStats{}, nil
}

// TestCancelStubborn: a query that does not notice the cancellation still
// gives the prompt back within a second.
func TestCancelStubborn(t *testing.T) {
	start := time.Now()
	out := session(t, testDB(t, 3), &fakeReader{lines: []string{"| head 1"}}, func(r *REPL) {
		open := r.open
		r.open = func() (DB, error) {
			db, err := open()
			return stubbornDB{db}, err
		}
		r.interrupt = func(cancel context.CancelFunc) func() {
			tm := time.AfterFunc(100*time.Millisecond, cancel)
			return func() { tm.Stop() }
		}
	})
	if d := time.Since(start); d > time.Second || !strings.Contains(out, "query cancelled after 0.") {
		t.Errorf("after %v:\n%s", d, out)
	}
}

// TestHelpContextExplain: .help names the context and explain stages and
// shows their syntax.
func TestHelpContextExplain(t *testing.T) {
	out := session(t, testDB(t, 3), &fakeReader{lines: []string{".help context", ".help explain", ".help"}}, nil)
	for _, want := range []string{
		"context (stage)\n  context by f [span=10m] [limit=100] [summary=true] [host=true]\n",
		"explain (stage)\n  explain [by f] [llm=true [show_prompt=true]]\n",
		"example:\n  | where is_anomaly | context by src_ip span=10m limit=50",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	stages := out[strings.Index(out, "stages:"):]
	for _, s := range []string{"context", "explain"} {
		if !strings.Contains(stages, s) {
			t.Errorf(".help's stages lack %s", s)
		}
	}
}
