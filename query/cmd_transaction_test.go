package query

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// authSessions reads the sshd lines of the real auth excerpt straight
// from the file and groups them by pid, in order of their first line,
// cutting a session where the next line of its pid comes more than pause
// after its last (0: never) or when it has most lines (0: no limit).
func authSessions(t *testing.T, pause time.Duration, most int) []txnWant {
	t.Helper()
	text, err := os.ReadFile(authExcerpt)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^(\w+ +\d+ [\d:]+) \S+ sshd\[(\d+)\]:`)
	open := map[string]int{}
	var out []txnWant
	for _, line := range strings.Split(strings.TrimRight(string(text), "\n"), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		at, err := time.Parse("2006 Jan _2 15:04:05", "2015 "+m[1])
		if err != nil {
			t.Fatal(err)
		}
		i, ok := open[m[2]]
		if ok {
			s := &out[i]
			if pause > 0 && at.Sub(s.last) > pause || most > 0 && len(s.raws) >= most {
				ok = false
			}
		}
		if !ok {
			out = append(out, txnWant{pid: m[2], first: at})
			i = len(out) - 1
			open[m[2]] = i
		}
		out[i].last = at
		out[i].raws = append(out[i].raws, line)
	}
	return out
}

type txnWant struct {
	pid         string
	first, last time.Time
	raws        []string
}

// TestTransactionOnRealAuthLog: sshd sessions by pid of a real auth.log,
// plain, with maxpause and with maxevents, against the sessions made here
// from the file's lines: the same sessions in the same order, with their
// _time, duration, eventcount and _raw.
func TestTransactionOnRealAuthLog(t *testing.T) {
	s := excerptDB(t, authExcerpt)
	for _, c := range []struct {
		opts  string
		pause time.Duration
		most  int
	}{{"", 0, 0}, {"maxpause=2s", 2 * time.Second, 0}, {"maxevents=3", 0, 3}, {"maxpause=1s maxevents=2", time.Second, 2}} {
		want := authSessions(t, c.pause, c.most)
		rows := s.run("app=sshd | transaction pid " + c.opts + " | table _time, pid, duration, eventcount, _raw")
		if len(rows)-1 != len(want) || len(want) < 80 {
			t.Fatalf("%s: %d sessions, want %d", c.opts, len(rows)-1, len(want))
		}
		for i, w := range want {
			r := i + 1
			wantRow := []string{w.first.Format(time.RFC3339), w.pid, strconv.FormatFloat(w.last.Sub(w.first).Seconds(), 'f', -1, 64),
				strconv.Itoa(len(w.raws)), strings.Join(w.raws, "\n")}
			if strings.Join(rows[r], "|") != strings.Join(wantRow, "|") {
				t.Fatalf("%s: session %d\n got %q\nwant %q", c.opts, i, rows[r], wantRow)
			}
		}
	}
}

// TestTransactionStartEnd: CRON sessions of the real auth.log framed by
// PAM's "session opened" and "session closed", with startswith as a
// quoted phrase and endswith as eval; a session cut by maxspan before its
// end is evicted (kept, closed_txn=0, with keepevicted=true).
func TestTransactionStartEnd(t *testing.T) {
	s := excerptDB(t, authExcerpt)
	rows := s.run(`app=CRON | transaction pid startswith="\"session opened\"" endswith=eval(match(_raw, "session closed")) | table _time, pid, eventcount, duration, user, closed_txn`)
	if len(rows) != 3 || rows[1][1] != "6525" || rows[2][1] != "7012" {
		t.Fatalf("%q", rows)
	}
	for _, r := range rows[1:] {
		if r[2] != "2" || r[3] != "0" || r[4] != "root" || r[5] != "" {
			t.Fatalf("%q", r)
		}
	}
	// The union of values: sshd sessions of one source IP, several users
	// each, as a sorted multi-value.
	rows = s.run(`app=sshd action=failure | transaction src_ip maxpause=1h | table src_ip, user, eventcount`)
	if len(rows) < 2 {
		t.Fatalf("%q", rows)
	}
	for _, r := range rows[1:] {
		users := strings.Split(r[1], "\n")
		for k := 1; k < len(users); k++ {
			if users[k-1] >= users[k] {
				t.Fatalf("users not distinct and sorted: %q", r)
			}
		}
	}
	// Every session starts with "Invalid": those before the Invalid user line
	// of their pid are incomplete, dropped, or kept with closed_txn=0.
	all := s.run(`app=sshd | transaction pid startswith="Invalid" keepevicted=true | table pid, eventcount, closed_txn, _raw`)
	kept := s.run(`app=sshd | transaction pid startswith="Invalid" | table pid, eventcount, _raw`)
	complete := 0
	for _, r := range all[1:] {
		starts := invalidWord.MatchString(strings.SplitN(r[3], "\n", 2)[0])
		if starts {
			complete++
		}
		if r[2] != "0" && !starts {
			t.Fatalf("closed_txn %s for %q", r[2], r)
		}
	}
	if complete != len(kept)-1 || complete == 0 || complete == len(all)-1 {
		t.Fatalf("%d complete of %d, %d kept", complete, len(all)-1, len(kept)-1)
	}
}

// TestTransactionBounds: more sessions open at once than maxopentxn is a
// limit error; rows out of time order are an error; bad options are
// caret errors.
func TestTransactionBounds(t *testing.T) {
	s := excerptDB(t, authExcerpt)
	if _, err := s.tryRun(`app=sshd | transaction pid maxopentxn=5`); err == nil || !strings.Contains(err.Error(), "more than 5 sessions open at once") {
		t.Fatalf("maxopentxn: %v", err)
	}
	// The events its open sessions hold are bounded by MaxRows.
	pq, _ := Parse(`app=sshd | transaction host`)
	if _, err := Run(context.Background(), s.DB, pq, Options{MaxRows: 100}, func(*Batch) error { return nil }); !errors.Is(err, ErrLimit) ||
		!strings.Contains(err.Error(), "transaction would hold more than 100 events") {
		t.Fatalf("held events: %v", err)
	}
	// With maxpause the sessions close as time passes: 5 are enough.
	if rows := s.run(`app=sshd | transaction pid maxpause=2s maxopentxn=5`); len(rows) < 80 {
		t.Fatalf("%d rows", len(rows))
	}
	if _, err := s.tryRun(`app=sshd | sort -_time | transaction pid`); err == nil || !strings.Contains(err.Error(), "time order") {
		t.Fatalf("order: %v", err)
	}
	if _, err := s.tryRun(`app=sshd | stats count by pid | transaction pid`); err == nil || !strings.Contains(err.Error(), "needs _time") {
		t.Fatalf("no _time: %v", err)
	}
	stageErrors(t, map[string]string{
		`* | transaction pid maxspan=abc`:           "maxspan must be a duration",
		`* | transaction pid maxevents=x`:           "maxevents must be a whole number",
		`* | transaction pid startswith=""`:         "startswith needs search terms",
		`* | transaction pid startswith="a | head"`: "startswith takes search terms, not a pipeline",
		`* | transaction pid startswith="(a"`:       "'(' is not closed",
		`* | transaction pid maxspan=eval(1)`:       "only startswith and endswith take eval",
		`* | transaction pid endswith=eval(lenn())`: "unknown function",
		`* | transaction pid keepevicted=maybe`:     "keepevicted must be true or false",
		`* | transaction pid spam=1`:                `unknown option "spam" for transaction`,
	})
	_, err := Parse(`* | transaction pid startswith="(a"`)
	if err == nil || !strings.Contains(err.Error(), "\n                                ^") {
		t.Fatalf("caret: %v", err)
	}
}

// invalidWord is the search word Invalid: a whole token, any case.
var invalidWord = regexp.MustCompile(`(?i)(^|[^a-z0-9_])invalid([^a-z0-9_]|$)`)
