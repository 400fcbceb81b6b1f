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
}

func TestShipClusterNeedsShards(t *testing.T) {
	c, _ := NewClient("http://127.0.0.1:1")
	db, _ := testStore(t)
	_, err := Ship(context.Background(), db, c, ShipOptions{Table: "t", Cluster: "lh"})
	if err == nil || !strings.Contains(err.Error(), "--shard URL") {
		t.Errorf("cluster without shards: %v", err)
	}
}
