package clickhouse

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"loghunt/clickhouse/chtest"
)

// TestShipSharded ships real logs to a two-shard cluster (two servers on
// 127.0.0.1, a remote_servers entry, a Distributed table over a MergeTree
// table on each): the events spread over both shards, none twice, a
// resumed ship sends nothing again, and the reference and random queries
// on the Distributed table give the local store's answers.
func TestShipSharded(t *testing.T) {
	servers := chtest.StartCluster(t, "lh", 2)
	var shards []*Client
	for _, s := range servers {
		c, err := NewClient(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, c)
	}
	db := realStore(t)
	ctx := context.Background()
	opt := ShipOptions{Table: "events", Cluster: "lh", Shards: shards}
	st, err := Ship(ctx, db, shards[0], opt)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i, sh := range shards {
		n, err := strconv.ParseInt(query1(t, sh, "SELECT count() FROM events_local"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("shard %d holds %d events", i+1, n)
		if n == 0 {
			t.Errorf("shard %d holds no events", i+1)
		}
		total += n
	}
	if total != st.Events {
		t.Errorf("the shards hold %d events, ship sent %d", total, st.Events)
	}
	srcs, _ := db.Sources()
	var want int64
	for _, s := range srcs {
		want += s.Events
	}
	if got := query1(t, shards[0], "SELECT count(), uniqExact(_chunk, _seq) FROM events"); got != fmt.Sprintf("%d\t%d", want, want) {
		t.Errorf("the Distributed table: count, distinct events = %s, want %d of each", got, want)
	}
	again, err := Ship(ctx, db, shards[0], opt)
	if err != nil || again.Chunks != 0 || again.Skipped != st.Chunks {
		t.Errorf("second ship: %+v, %v; want all %d chunks skipped", again, err, st.Chunks)
	}
	checkQueries(t, db, shards[0], "events", 40)

	// Another key spreads each chunk's rows over both shards: the
	// Distributed table still holds every chunk whole, once.
	opt2 := ShipOptions{Table: "byraw", Cluster: "lh", Shards: shards, ShardKey: "cityHash64(_raw)"}
	st2, err := Ship(ctx, db, shards[0], opt2)
	if err != nil || st2.Events != want {
		t.Fatalf("ship by cityHash64(_raw): %+v, %v", st2, err)
	}
	for i, sh := range shards {
		if n := query1(t, sh, "SELECT uniqExact(_chunk) FROM byraw_local"); n != fmt.Sprint(st2.Chunks) {
			t.Errorf("shard %d holds rows of %s chunks, want rows of all %d", i+1, n, st2.Chunks)
		}
	}
	if again, err := Ship(ctx, db, shards[0], opt2); err != nil || again.Chunks != 0 {
		t.Errorf("second ship by cityHash64(_raw): %+v, %v", again, err)
	}
	for _, q := range []string{"* | stats count by sourcetype", `"Failed password" | top user by host`} {
		got, _, err := runRemote(shards[0], "byraw", q)
		if err != nil {
			t.Fatal(err)
		}
		local, err := runLocal(db, q)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff(got, local); d != "" {
			t.Errorf("%s on the table sharded by _raw: %s", q, d)
		}
	}
}

func TestShipClusterNeedsShards(t *testing.T) {
	c, _ := NewClient("http://127.0.0.1:1")
	db, _ := testStore(t)
	_, err := Ship(context.Background(), db, c, ShipOptions{Table: "t", Cluster: "lh"})
	if err == nil || !strings.Contains(err.Error(), "--shard URL") {
		t.Errorf("cluster without shards: %v", err)
	}
}
