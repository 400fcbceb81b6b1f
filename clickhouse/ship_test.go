package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"loghunt/clickhouse/chtest"
	"loghunt/store"
	"loghunt/store/storetest"
)

// startServer runs a server for the test (chtest.Start) and returns its
// client.
func startServer(t *testing.T) *Client {
	t.Helper()
	s := chtest.Start(t)
	c, err := NewClient(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testStore(t *testing.T) (*store.DB, int) {
	db := storetest.Open(t)
	total := 0
	for si, st := range []string{"apache", "sshd"} {
		b := store.NewChunkBuilder("/var/log/"+st, st, "key:"+st)
		err := db.Write(func(w *store.WriteTx) error {
			rec := &store.Source{Key: "key:" + st, Name: "/var/log/" + st, Sourcetype: st}
			t0 := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC).UnixNano() + int64(si)
			for c := 0; c < 4; c++ {
				for i := 0; i < 250; i++ {
					n := c*250 + i
					ev := store.Event{Time: t0 + int64(n)*int64(time.Second) + 123, Raw: fmt.Sprintf("%s line %d\twith tab \\ and\nnewline", st, n),
						Fields: []store.Field{{Name: "status", Value: store.Int(int64(200 + n%3*100))}, {Name: "dur", Value: store.Float(float64(n) / 7)},
							{Name: "ok", Value: store.Bool(n%2 == 0)}}}
					if n%4 == 0 {
						ev.Fields = append(ev.Fields, store.Field{Name: "user", Value: store.Str(fmt.Sprintf("u%d", n%5))})
					}
					b.Add(&ev)
				}
				ch := b.Encode()
				if err := w.PutChunk(ch); err != nil {
					return err
				}
				w.AddBuiltinFields(int64(ch.Rows), "/var/log/"+st, st)
				if rec.Events == 0 {
					rec.First = ch.MinTime
				}
				rec.Events += int64(ch.Rows)
				rec.Last = ch.MaxTime
				total += ch.Rows
			}
			return w.PutSource(rec)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return db, total
}

func query1(t *testing.T, c *Client, sql string) string {
	t.Helper()
	out, err := c.Exec(context.Background(), sql+" FORMAT TabSeparated", nil)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(out)
}

func TestShipExactlyOnce(t *testing.T) {
	c := startServer(t)
	db, total := testStore(t)
	ctx := context.Background()
	// Killed after three chunks: the fourth INSERT never happens.
	n := 0
	kill := errors.New("killed")
	_, err := Ship(ctx, db, c, ShipOptions{Table: "events", BeforeInsert: func(uint64) error {
		n++
		if n == 4 {
			return kill
		}
		return nil
	}})
	if !errors.Is(err, kill) {
		t.Fatalf("ship: %v", err)
	}
	if got := query1(t, c, "SELECT count() FROM events"); got != "750" {
		t.Errorf("after the kill the table holds %s events, want 750 (3 chunks)", got)
	}
	st, err := Ship(ctx, db, c, ShipOptions{Table: "events"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped != 3 || st.Chunks != 5 {
		t.Errorf("resumed ship: %+v, want 3 chunks skipped and 5 sent", st)
	}
	st, err = Ship(ctx, db, c, ShipOptions{Table: "events"})
	if err != nil || st.Chunks != 0 {
		t.Errorf("third ship sent %d chunks (%v), want none", st.Chunks, err)
	}
	want := fmt.Sprint(total) + "\t" + fmt.Sprint(total)
	if got := query1(t, c, "SELECT count(), uniqExact(_raw) FROM events"); got != want {
		t.Errorf("count, distinct _raw = %s, want %s", got, want)
	}
	// Every value equals the store's.
	rows := query1(t, c, "SELECT _time_ns, toUnixTimestamp(_time), _raw, source, sourcetype, status, dur, ok, ifNull(user, '-'), _extra FROM events WHERE _raw LIKE 'sshd line 5\\t%' OR _raw LIKE 'apache line 8\\t%' ORDER BY _time_ns")
	t0 := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC).UnixNano()
	wantRows := fmt.Sprintf("%d\t%d\tsshd line 5\\twith tab \\\\ and\\nnewline\t/var/log/sshd\tsshd\t400\t%s\t0\t-\t{}\n", t0+1+5e9+123, t0/1e9+5, "0.7142857142857143") +
		fmt.Sprintf("%d\t%d\tapache line 8\\twith tab \\\\ and\\nnewline\t/var/log/apache\tapache\t400\t%s\t1\tu3\t{}", t0+8e9+123, t0/1e9+8, "1.1428571428571428")
	if rows != wantRows {
		t.Errorf("rows:\n%s\nwant\n%s", rows, wantRows)
	}
	if got := query1(t, c, "SELECT sourcetype, count(), sum(status) FROM events GROUP BY sourcetype ORDER BY sourcetype"); got != "apache\t1000\t299900\nsshd\t1000\t299900" {
		t.Errorf("per sourcetype: %s", got)
	}
}

func TestShipBadURL(t *testing.T) {
	for _, u := range []string{"clickhouse://h:9000", "ftp://x", "http://"} {
		if _, err := NewClient(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
	if _, err := CreateSQL("a;drop", nil, ""); err == nil {
		t.Error("bad table name accepted")
	}
}
