package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// datasetsDir is the shared datasets folder, next to the repository.
var datasetsDir = filepath.Join("..", "..", "shared", "datasets")

// needDatasets returns the path of a file or folder under datasetsDir,
// skipping the test when the datasets are absent.
func needDatasets(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(datasetsDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("datasets not available: %v", err)
	}
	return p
}

// loghubCase says how to read one loghub system's ground truth.
type loghubCase struct {
	system string
	format string // the format Detect should pick
	// year is Options.Year for yearless systems; the comparison then
	// covers month, day and time of day only, since the ground truth has
	// no year.
	year int
	// want returns the ground-truth instant of a structured-CSV row
	// (read in UTC) from its columns.
	want func(col func(string) string) (time.Time, error)
}

func layoutCols(layout string, names ...string) func(func(string) string) (time.Time, error) {
	return func(col func(string) string) (time.Time, error) {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = col(n)
		}
		return time.Parse(layout, strings.Join(parts, " "))
	}
}

func epochCol(name string) func(func(string) string) (time.Time, error) {
	return func(col func(string) string) (time.Time, error) {
		n, err := strconv.ParseInt(col(name), 10, 64)
		return time.Unix(n, 0).UTC(), err
	}
}

// loghubCases lists every loghub 2k system. BGL and Thunderbird are
// checked against their Timestamp column (epoch seconds, the absolute
// instant); their local-time columns are America/Los_Angeles wall clock.
var loghubCases = []loghubCase{
	{"Android", "kv", 2017, layoutCols("01-02 15:04:05.000", "Date", "Time")},
	{"Apache", "kv", 0, layoutCols("Mon Jan 02 15:04:05 2006", "Time")},
	{"BGL", "text", 0, epochCol("Timestamp")},
	{"HDFS", "kv", 0, layoutCols("060102 150405", "Date", "Time")},
	{"HPC", "text", 0, epochCol("Time")},
	{"Hadoop", "kv", 0, layoutCols("2006-01-02 15:04:05,000", "Date", "Time")},
	{"HealthApp", "text", 0, func(col func(string) string) (time.Time, error) {
		var y, mo, d, h, mi, s int
		_, err := fmt.Sscanf(col("Time"), "%4d%2d%2d-%d:%d:%d", &y, &mo, &d, &h, &mi, &s)
		return time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC), err
	}},
	{"Linux", "syslog", 2005, layoutCols("Jan 2 15:04:05", "Month", "Date", "Time")},
	{"Mac", "syslog", 2017, layoutCols("Jan 2 15:04:05", "Month", "Date", "Time")},
	{"OpenSSH", "syslog", 2017, layoutCols("Jan 2 15:04:05", "Date", "Day", "Time")},
	{"OpenStack", "text", 0, layoutCols("2006-01-02 15:04:05.000", "Date", "Time")},
	{"Proxifier", "text", 2016, layoutCols("01.02 15:04:05", "Time")},
	{"Spark", "kv", 0, layoutCols("06/01/02 15:04:05", "Date", "Time")},
	{"Thunderbird", "text", 0, epochCol("Timestamp")},
	{"Windows", "kv", 0, layoutCols("2006-01-02 15:04:05", "Date", "Time")},
	{"Zookeeper", "kv", 0, layoutCols("2006-01-02 15:04:05,000", "Date", "Time")},
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func readStructured(t testing.TB, path string) (map[string]int, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range rows[0] {
		idx[h] = i
	}
	return idx, rows[1:]
}

// TestLoghubTimes checks every line of every loghub 2k log: the detected
// format, Classify (each line is one event) and the parsed time against
// the ground truth, to the millisecond where the ground truth has them.
func TestLoghubTimes(t *testing.T) {
	dir := needDatasets(t, "loghub")
	for _, tc := range loghubCases {
		t.Run(tc.system, func(t *testing.T) {
			lines := readLines(t, filepath.Join(dir, tc.system+"_2k.log"))
			idx, rows := readStructured(t, filepath.Join(dir, tc.system+"_2k.log_structured.csv"))
			if len(rows) != len(lines) {
				t.Fatalf("%d log lines, %d ground-truth rows", len(lines), len(rows))
			}
			f := Detect(lines[:20])
			if f.Name() != tc.format {
				t.Errorf("detected %s, want %s", f.Name(), tc.format)
			}
			p, err := f.NewParser(lines[:min(200, len(lines))], Options{Loc: time.UTC, Year: tc.year})
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			var ev store.Event
			for i, line := range lines {
				row := rows[i]
				want, err := tc.want(func(name string) string { return row[idx[name]] })
				if err != nil {
					t.Fatalf("line %d: ground truth: %v", i+1, err)
				}
				ev = store.Event{Raw: line, Fields: ev.Fields[:0]}
				kind := p.Classify([]byte(line))
				hasTime, _ := p.Parse(line, &ev)
				got := time.Unix(0, ev.Time).UTC()
				if want.Nanosecond() == 0 {
					got = got.Truncate(time.Second) // the ground truth has whole seconds
				}
				if tc.year != 0 {
					want = want.AddDate(got.Year()-want.Year(), 0, 0)
				}
				if kind != LineEvent || !hasTime || !got.Equal(want) {
					if bad++; bad <= 5 {
						t.Errorf("line %d %q: kind %d hasTime %v time %v, want %v", i+1, line, kind, hasTime, got, want)
					}
				}
			}
			t.Logf("%s: format %s, %d/%d lines with the right time", tc.system, f.Name(), len(lines)-bad, len(lines))
		})
	}
}
