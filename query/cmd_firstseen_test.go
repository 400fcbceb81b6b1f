package query

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"loghunt/ingest"
	"loghunt/store"
	"loghunt/store/storetest"
)

// runFirstseen runs q on st and returns the rows as (time, entity, value,
// flag, reason) text.
func runFirstseen(t *testing.T, st Store, q string, opt Options) ([][5]string, error) {
	t.Helper()
	pq, err := Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	var out [][5]string
	_, err = Run(context.Background(), st, pq, opt, func(b *Batch) error {
		for r := range b.Len {
			out = append(out, [5]string{b.Get("_time", r).String(), b.Get("e", r).String(), b.Get("v", r).String(),
				b.Get("is_anomaly", r).String(), b.Get("anomaly_reason", r).String()})
		}
		return nil
	})
	return out, err
}

// naiveFirstseen: for each event in time order, new when its value for
// its entity is not among those of the events before from+train.
func naiveFirstseen(events []memEvent, train time.Duration) map[string]bool {
	lo := events[0].t
	for _, e := range events {
		lo = min(lo, e.t)
	}
	seen := map[string]bool{}
	for _, e := range events {
		if e.t < lo+int64(train) && e.v != "" {
			seen[e.e+"\x00"+e.v] = true
		}
	}
	out := map[string]bool{}
	for _, e := range events {
		out[e.id] = e.t >= lo+int64(train) && e.v != "" && !seen[e.e+"\x00"+e.v]
	}
	return out
}

type memEvent struct {
	id, e, v string
	t        int64
}

// TestFirstseenRandom: on random events (values and entities from small
// sets, some missing), firstseen's flags equal a naive evaluation, with
// and without by, for several training spans.
func TestFirstseenRandom(t *testing.T) {
	for seed := range uint64(20) {
		rnd := rand.New(rand.NewPCG(seed, 7))
		n := 50 + rnd.IntN(400)
		t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
		var events []memEvent
		var lines []string
		for i := range n {
			e := memEvent{id: fmt.Sprint(i), e: fmt.Sprintf("u%d", rnd.IntN(5)), t: t0 + rnd.Int64N(int64(10*24*time.Hour))}
			if rnd.IntN(10) > 0 {
				// more values later: some never seen in the training days
				k := 1 + int((e.t-t0)*30/int64(10*24*time.Hour))
				e.v = fmt.Sprintf("x%d", rnd.IntN(k))
			}
			events = append(events, e)
			line := fmt.Sprintf(`{"time":%q,"id":"%d","e":%q`, time.Unix(0, e.t).UTC().Format(time.RFC3339Nano), i, e.e)
			if e.v != "" {
				line += fmt.Sprintf(`,"v":%q`, e.v)
			}
			lines = append(lines, line+"}")
		}
		st := jsonStore(t, lines)
		train := time.Duration(1+rnd.IntN(8)) * 24 * time.Hour
		for _, by := range []bool{true, false} {
			q := fmt.Sprintf("* | firstseen v by e train=%dd | table _time, id, e, v, is_anomaly, anomaly_reason", int(train/(24*time.Hour)))
			evs := events
			if !by {
				q = strings.Replace(q, " by e", "", 1)
				evs = make([]memEvent, len(events))
				for i, e := range events {
					e.e = ""
					evs[i] = e
				}
			}
			want := naiveFirstseen(evs, train)
			pq, _ := Parse(q)
			flagged := 0
			_, err := Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
				for r := range b.Len {
					id, got := b.Get("id", r).String(), b.Get("is_anomaly", r).Truthy()
					if got != want[id] {
						t.Fatalf("seed %d %s: event %s (%s %s %s): flagged %v, the naive evaluation %v", seed, q, id, b.Get("_time", r), b.Get("e", r), b.Get("v", r), got, want[id])
					}
					if got {
						flagged++
						if !strings.HasPrefix(b.Get("anomaly_reason", r).String(), "new v="+b.Get("v", r).String()) {
							t.Fatalf("reason %q", b.Get("anomaly_reason", r))
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seed == 0 {
				t.Logf("%d events, train %v, by %v: %d flagged", n, train, by, flagged)
			}
		}
	}
}

// jsonStore is a store of JSON lines.
func jsonStore(t *testing.T, lines []string) Store {
	t.Helper()
	p := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t)
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{TimeField: "time"}, []string{p}, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestFirstseenRealAuth: on the real DFRWS 2009 auth.log, the addresses
// each user logged in from (or failed from) after the first day that the
// first day had not: flags and first-seen times against a computation in
// Go from the events; a saved model scores the same rows the same way.
func TestFirstseenRealAuth(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "datasets", "authlog", "dfrws2009_auth.log")
	if _, err := os.Stat(path); err != nil {
		t.Skip("../shared/datasets/authlog is absent")
	}
	db := storetest.Open(t)
	if _, err := ingest.Ingest(context.Background(), db, ingest.Config{Year: 2009}, []string{path}, nil); err != nil {
		t.Fatal(err)
	}
	var st Store = db
	type ev struct {
		t       int64
		user, v string
	}
	var all []ev
	pq, _ := Parse("user=* src_ip=* | table _time, user, src_ip")
	if _, err := Run(context.Background(), st, pq, Options{}, func(b *Batch) error {
		for r := range b.Len {
			all = append(all, ev{b.Get("_time", r).I, b.Get("user", r).String(), b.Get("src_ip", r).String()})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	lo := all[0].t
	for _, e := range all {
		lo = min(lo, e.t)
	}
	const train = 24 * time.Hour
	seen, first := map[string]bool{}, map[string]int64{}
	for _, e := range all {
		if e.t < lo+int64(train) {
			seen[e.user+" "+e.v] = true
		}
	}
	wantNew := 0
	for _, e := range all {
		k := e.user + " " + e.v
		if e.t >= lo+int64(train) && !seen[k] {
			wantNew++
			if f, ok := first[k]; !ok || e.t < f {
				first[k] = e.t
			}
		}
	}
	ms := newMemModels()
	q := "user=* src_ip=* | eval e=user, v=src_ip | firstseen v by e train=1d save=fs | table _time, e, v, is_anomaly, anomaly_reason"
	rows, err := runFirstseen(t, st, q, Options{Models: ms})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, r := range rows {
		if r[3] != "true" {
			continue
		}
		got++
		wantReason := fmt.Sprintf("first seen %s", time.Unix(0, first[r[1]+" "+r[2]]).UTC().Format(time.RFC3339Nano))
		if !strings.HasSuffix(r[4], wantReason) {
			t.Errorf("%v: want the reason to end %q", r, wantReason)
		}
	}
	if got != wantNew || got == 0 {
		t.Fatalf("%d rows flagged, %d new in Go", got, wantNew)
	}
	t.Logf("%d of %d events have an address their user had not used in the first day", got, len(rows))
	// The saved baseline scores every row: the first hour's are not new.
	info, err := DescribeModel(ms.blobs["fs"])
	if err != nil || info.Method != "firstseen" || info.By != "e" {
		t.Fatalf("the saved model: %+v, %v", info, err)
	}
	rows2, err := runFirstseen(t, st, strings.Replace(q, "train=1d save=fs", "model=fs", 1), Options{Models: ms})
	if err != nil {
		t.Fatal(err)
	}
	got2 := 0
	for _, r := range rows2 {
		if r[3] == "true" {
			got2++
			if !strings.Contains(r[4], "in model fs") {
				t.Errorf("reason %q", r[4])
			}
		}
	}
	if got2 != wantNew {
		t.Errorf("with model=fs %d rows flagged, want %d", got2, wantNew)
	}
	// the model is for its field and entity only
	if _, err := runFirstseen(t, st, "user=* | firstseen user model=fs", Options{Models: ms}); err == nil || !strings.Contains(err.Error(), "was saved for firstseen v by e") {
		t.Errorf("a model of another field: %v", err)
	}
	if _, err := runFirstseen(t, st, "user=* | firstseen v by e train=1d save=fs", Options{Models: ms}); err == nil || !strings.Contains(err.Error(), "replace=true") {
		t.Errorf("save over a model: %v", err)
	}
}

// TestFirstseenErrors: the option mistakes, at their columns.
func TestFirstseenErrors(t *testing.T) {
	for q, want := range map[string]string{
		"* | firstseen v":                          "firstseen needs train=DUR",
		"* | firstseen v train=1d model=m":         "train= or model=, not both",
		"* | firstseen v model=m save=n":           "save= stores a new one",
		"* | firstseen v train=soon":               "train must be a duration",
		"* | firstseen v train=1d replace=true":    "replace=true goes with save=",
		"* | firstseen v train=1d bogus=1":         `unknown option "bogus" for firstseen`,
		"* | firstseen":                            "",
		"* | firstseen v train=1d replace=maybe x": "",
	} {
		_, err := Parse(q)
		if err == nil {
			t.Errorf("%s: no error", q)
			continue
		}
		if want != "" && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", q, err, want)
		}
	}
	var ms ModelStore = newMemModels()
	if _, err := runFirstseen(t, excerptStore(t), "* | firstseen user model=none", Options{Models: ms}); err == nil || !strings.Contains(err.Error(), "no model of that name") {
		t.Errorf("a missing model: %v", err)
	}
	_ = store.Null
}

// TestFirstseenSavesModel: a query with firstseen save= opens the
// database for writing, as one with anomalies save= does.
func TestFirstseenSavesModel(t *testing.T) {
	for q, want := range map[string]bool{
		"* | firstseen v train=1d save=m": true,
		"* | firstseen v train=1d":        false,
		"* | firstseen v model=m":         false,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if pq.SavesModel() != want {
			t.Errorf("%s: SavesModel %v", q, !want)
		}
	}
}
