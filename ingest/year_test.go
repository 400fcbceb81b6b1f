package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/store/storetest"
)

// writeAged writes lines to a file and sets its modification time.
func writeAged(t *testing.T, path string, lines []string, mod time.Time, appendTo bool) {
	t.Helper()
	writeFile(t, path, lines, appendTo)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// storedTimes maps each stored _raw to its time (the test lines are
// unique).
func storedTimes(t *testing.T, evs []stored) map[string]time.Time {
	out := map[string]time.Time{}
	for _, e := range evs {
		out[e.raw] = time.Unix(0, e.time).UTC()
	}
	return out
}

// syslogDays returns one sshd line per day from..to (inclusive), with a
// sequence number so that each is unique.
func syslogDays(from, to time.Time) []string {
	var out []string
	for d, i := from, 0; !d.After(to); d, i = d.AddDate(0, 0, 1), i+1 {
		out = append(out, fmt.Sprintf("%s host sshd[%d]: line %d", d.Format(time.Stamp), 100+i, i))
	}
	return out
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC) }

// TestSyslogYearOneSequencePerFile: a yearless file gets one sequence of
// years, its latest line not after the modification time, rolling over at
// each New Year; the year is guessed with one warning per file; --year
// says the first line's year.
func TestSyslogYearOneSequencePerFile(t *testing.T) {
	cases := []struct {
		name     string
		from, to time.Time // the lines' true dates
		mod      time.Time // the file's modification time
		year     int
		want     time.Time // the year the first line must get (from's month and day)
	}{
		// SecRepo's shape: Nov 30 - Dec 31, copied on Dec 2 of a later
		// year. The old rule put Nov 30 - Dec 3 in the mtime's year and
		// the rest in the year before.
		{"nov-dec copied later", date(2025, 11, 30), date(2025, 12, 31), date(2026, 12, 2), 0, date(2025, 11, 30)},
		{"nov-dec written then", date(2025, 11, 30), date(2025, 12, 31), date(2025, 12, 31), 0, date(2025, 11, 30)},
		{"across new year", date(2024, 12, 20), date(2025, 1, 10), date(2025, 1, 10), 0, date(2024, 12, 20)},
		{"across two new years", date(2023, 6, 1), date(2025, 2, 1), date(2025, 3, 1), 0, date(2023, 6, 1)},
		{"last line a day after mtime (zones)", date(2025, 3, 1), date(2025, 3, 11), date(2025, 3, 10), 0, date(2025, 3, 1)},
		{"year given", date(2019, 11, 30), date(2021, 1, 5), date(2026, 12, 2), 2019, date(2019, 11, 30)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := storetest.Open(t)
			path := filepath.Join(t.TempDir(), "auth.log")
			lines := syslogDays(c.from, c.to)
			writeAged(t, path, lines, c.mod, false)
			sum, warns := ingestPaths(t, db, Config{Year: c.year}, path)
			if sum.Events != int64(len(lines)) {
				t.Fatalf("%d events, want %d", sum.Events, len(lines))
			}
			got := storedTimes(t, allEvents(t, db))
			want := c.want
			for _, l := range lines {
				if !got[l].Equal(want) {
					t.Fatalf("%q at %v, want %v", l, got[l], want)
				}
				want = want.AddDate(0, 0, 1)
			}
			guessed := 0
			for _, w := range warns {
				if strings.Contains(w, "no year") {
					guessed++
					span := fmt.Sprintf("%s to %s", c.want.Format(time.DateOnly), c.want.AddDate(0, 0, len(lines)-1).Format(time.DateOnly))
					if !strings.Contains(w, path) || !strings.Contains(w, span) || !strings.Contains(w, "--year") {
						t.Errorf("warning %q: want the file, %q and --year", w, span)
					}
				}
			}
			if wantWarn := map[bool]int{true: 0, false: 1}[c.year != 0]; guessed != wantWarn {
				t.Errorf("%d year warnings, want %d: %q", guessed, wantWarn, warns)
			}
		})
	}
}

// TestSyslogYearLateLines: a line written just after New Year with the
// old year's date stays in the old year, and the next line is in the new
// one.
func TestSyslogYearLateLines(t *testing.T) {
	db := storetest.Open(t)
	path := filepath.Join(t.TempDir(), "auth.log")
	lines := []string{
		"Dec 31 23:59:58 h a: one",
		"Jan  1 00:00:01 h a: two",
		"Dec 31 23:59:59 h a: three (late)",
		"Jan  1 00:00:02 h a: four",
		"Feb  1 00:00:00 h a: five",
	}
	writeAged(t, path, lines, date(2025, 2, 1), false)
	ingestPaths(t, db, Config{}, path)
	got := storedTimes(t, allEvents(t, db))
	for i, y := range []int{2024, 2025, 2024, 2025, 2025} {
		if got[lines[i]].Year() != y {
			t.Errorf("%q in %d, want %d", lines[i], got[lines[i]].Year(), y)
		}
	}
}

// TestSyslogYearResume: a file that grows across New Year keeps one
// sequence: the appended part continues the stored one, with or without
// --year.
func TestSyslogYearResume(t *testing.T) {
	for _, year := range []int{0, 2024} {
		t.Run(fmt.Sprint("year=", year), func(t *testing.T) {
			db := storetest.Open(t)
			path := filepath.Join(t.TempDir(), "auth.log")
			first := syslogDays(date(2024, 12, 1), date(2024, 12, 30))
			writeAged(t, path, first, date(2024, 12, 30), false)
			ingestPaths(t, db, Config{Year: year}, path)
			more := syslogDays(date(2024, 12, 31), date(2025, 1, 20))
			for i := range more {
				more[i] += " (appended)"
			}
			writeAged(t, path, more, date(2025, 1, 20), true)
			sum, _ := ingestPaths(t, db, Config{Year: year}, path)
			if sum.Events != int64(len(more)) {
				t.Fatalf("grown file added %d, want %d", sum.Events, len(more))
			}
			got := storedTimes(t, allEvents(t, db))
			want := date(2024, 12, 1)
			for _, l := range append(first, more...) {
				if !got[l].Equal(want) {
					t.Fatalf("%q at %v, want %v", l, got[l], want)
				}
				want = want.AddDate(0, 0, 1)
			}
		})
	}
}

// TestSyslogYearStdin: stdin cannot be read twice, so its first line is
// in the latest year that does not put it after today.
func TestSyslogYearStdin(t *testing.T) {
	db := storetest.Open(t)
	now := time.Now().UTC()
	from := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC).AddDate(0, 0, 3)
	lines := syslogDays(from, from.AddDate(0, 0, 40))
	var warns []string
	_, err := Ingest(context.Background(), db, Config{Warn: func(m string) { warns = append(warns, m) }},
		[]string{"-"}, strings.NewReader(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := storedTimes(t, allEvents(t, db))
	want := from.AddDate(-1, 0, 0)
	if !got[lines[0]].Equal(want) || !got[lines[40]].Equal(want.AddDate(0, 0, 40)) {
		t.Errorf("first %v last %v, want from %v", got[lines[0]], got[lines[40]], want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "no year") {
		t.Errorf("warnings %q", warns)
	}
}

// TestSyslogYearSecRepo: the SecRepo auth log (Nov 30 - Dec 31, no year)
// is one year, whatever its modification time.
func TestSyslogYearSecRepo(t *testing.T) {
	src := needDatasets(t, "authlog/secrepo_auth.log")
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(t.TempDir(), "auth.log")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
	fi, _ := os.Stat(src)
	for _, mod := range []time.Time{fi.ModTime(), date(2016, 1, 15), date(2015, 12, 31)} {
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t)
		sum, _ := ingestPaths(t, db, Config{}, path)
		srcs, _ := db.Sources()
		first, last := time.Unix(0, srcs[0].First).UTC(), time.Unix(0, srcs[0].Last).UTC()
		y := mod.Year() - 1
		if mod.Month() == 12 && mod.Day() == 31 {
			y = mod.Year()
		}
		if sum.Events != 86839 || first.Format(time.Stamp) != "Nov 30 06:39:00" || last.Format(time.Stamp) != "Dec 31 22:27:48" ||
			first.Year() != y || last.Year() != y {
			t.Errorf("mtime %v: %d events, %v .. %v; want one year, %d", mod, sum.Events, first, last, y)
		}
	}
}
