package ingest

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"loghunt/store/storetest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestIngestTimeField: --time-field picks the time of json and csv
// events; a file where no head event has it is not ingested (exit 1 once
// the others are in); a later event without it is flagged.
func TestIngestTimeField(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "events.json")
	writeFile(t, jsonPath, []string{
		`{"ts":"2025-03-06T08:00:00Z","meta":{"seen":"2025-03-06T07:59:00Z"},"n":1}`,
		`{"ts":"2025-03-06T08:00:01Z","meta":{"seen":"2025-03-06T07:59:01Z"},"n":2}`,
		`{"ts":"2025-03-06T08:00:02Z","n":3}`,
		`{"ts":"2025-03-06T08:00:03Z","meta":{"seen":"yesterday"},"n":4}`,
	}, false)
	csvPath := filepath.Join(dir, "rows.csv")
	writeFile(t, csvPath, []string{
		"time,Logged At,user",
		"2025-03-06T09:00:00Z,2025-03-06 08:30:00,alice",
		"2025-03-06T09:00:01Z,,bob",
	}, false)
	db := storetest.Open(t)
	sum, warns, err := ingestPathsErr(db, Config{TimeField: "meta.SEEN"}, jsonPath)
	if err != nil || sum.Events != 4 || sum.Flagged != 2 {
		t.Fatalf("json: %v %+v %q", err, sum, warns)
	}
	got := map[string]string{}
	for _, e := range allEvents(t, db) {
		got[e.raw[len(e.raw)-4:]] = time.Unix(0, e.time).UTC().Format(time.RFC3339)
	}
	want := map[string]string{`":1}`: "2025-03-06T07:59:00Z", `":2}`: "2025-03-06T07:59:01Z",
		`":3}`: "2025-03-06T07:59:01Z", `":4}`: "2025-03-06T07:59:01Z"} // no time: the one before
	for k, v := range want {
		if got[k] != v {
			t.Errorf("event %s at %s, want %s", k, got[k], v)
		}
	}
	flagged := strings.Join(warns, "\n")
	if !strings.Contains(flagged, `no field "meta.SEEN" (--time-field)`) {
		t.Errorf("warnings %q", warns)
	}
	// csv: the column by its header name.
	db2 := storetest.Open(t)
	sum, warns, err = ingestPathsErr(db2, Config{TimeField: "Logged At"}, csvPath)
	evs := allEvents(t, db2)
	if err != nil || sum.Events != 2 || sum.Flagged != 1 || time.Unix(0, evs[0].time).UTC().Format(time.RFC3339) != "2025-03-06T08:30:00Z" {
		t.Errorf("csv: %v %+v %q %v", err, sum, warns, evs)
	}
	// Missing from every head event, or never a time: not ingested,
	// with the reason, and the ingest fails once the rest is in.
	syslogPath := filepath.Join(dir, "auth.log")
	writeFile(t, syslogPath, authLines(3), false)
	badPath := filepath.Join(dir, "bad.json")
	writeFile(t, badPath, []string{`{"ts":"2025-03-06T08:00:00Z","when":"soon"}`}, false)
	cases := []struct {
		field, path, want string
	}{
		{"nope", jsonPath, "--time-field nope: no event of the first 4 has it (the first has ts, meta.seen, n)"},
		{"when", badPath, `--time-field when: no value of it in the first 1 events reads as a time (one is "soon")`},
		{"nope", csvPath, "--time-field nope: the header has no such column (it has time, Logged At, user)"},
	}
	for _, c := range cases {
		db := storetest.Open(t)
		sum, warns, err := ingestPathsErr(db, Config{TimeField: c.field, Year: 2025}, c.path, syslogPath)
		w := strings.Join(warns, "\n")
		if !errors.Is(err, ErrTimeField) || sum.Events != 3 || !strings.Contains(w, c.path+": not ingested: "+c.want) ||
			!strings.Contains(w, "--time-field applies to json, csv and tsv inputs; this one is syslog") {
			t.Errorf("%s %s: err %v, %+v, warnings:\n%s", c.field, c.path, err, sum, w)
		}
	}
}

// TestIngestOTRFEventTime: on the OTRF purplesharp set (NXLog JSON), every
// event's time is its own: Sysmon's UtcTime exactly, else EventTime in
// the zone @timestamp shows, never after the collector's time.
func TestIngestOTRFEventTime(t *testing.T) {
	zipPath := needDatasets(t, "windows_otrf/purplesharp_ad_playbook_I.zip")
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	// Independently, with encoding/json and time.Parse: each event's
	// RecordNumber/EventID identify it within the set.
	wantUTC := map[string]time.Time{}
	collector := map[string]time.Time{}
	eventTime := map[string]string{}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for _, l := range lines {
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		ts, err := time.Parse(time.RFC3339Nano, e["@timestamp"].(string))
		if err != nil {
			t.Fatal(err)
		}
		collector[l] = ts
		eventTime[l] = e["EventTime"].(string)
		if u, ok := e["UtcTime"].(string); ok {
			ut, err := time.Parse("2006-01-02 15:04:05.000", u)
			if err != nil {
				t.Fatal(err)
			}
			wantUTC[l] = ut
		}
	}
	db := storetest.Open(t)
	sum, _ := ingestPaths(t, db, Config{}, zipPath)
	if sum.Events != int64(len(lines)) {
		t.Fatalf("%d events, want %d", sum.Events, len(lines))
	}
	var maxLag time.Duration
	sysmon, own := 0, 0
	for _, e := range allEvents(t, db) {
		got := time.Unix(0, e.time).UTC()
		if u, ok := wantUTC[e.raw]; ok {
			sysmon++
			if !got.Equal(u) {
				t.Fatalf("sysmon event at %v, want UtcTime %v: %.200s", got, u, e.raw)
			}
		} else {
			own++
			// EventTime is local time with whole seconds: the same clock
			// reading, four hours (EDT) from UTC.
			if got.Add(-4*time.Hour).Format(time.DateTime) != eventTime[e.raw] {
				t.Fatalf("event at %v, EventTime %s: %.200s", got, eventTime[e.raw], e.raw)
			}
		}
		lag := collector[e.raw].Sub(got)
		if lag < -time.Second || lag > time.Minute {
			t.Fatalf("event at %v, collected at %v", got, collector[e.raw])
		}
		maxLag = max(maxLag, lag)
	}
	t.Logf("%d Sysmon events at UtcTime, %d at EventTime; the collector's @timestamp was up to %v later", sysmon, own, maxLag)
	if sysmon != 22054 || own != 3939 || maxLag < 40*time.Second {
		t.Errorf("sysmon %d, own %d, max lag %v", sysmon, own, maxLag)
	}
}
