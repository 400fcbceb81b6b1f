package query

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"loghunt/store"
)

// TestUnknownFieldWarnings: a field no event has, in a search, where, by,
// table, dedup, aggregate or anomalies, once gave a silent empty result;
// now it gets a warning with the nearest name. Fields that a stage before
// made (eval, rex, rename, stats, lookup, ...) are known; fields a stage
// before dropped are named as such.
func TestUnknownFieldWarnings(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(1, 1)), 200), 100)
	cases := []struct {
		q    string
		want []string // substrings, one warning each; none when empty
	}{
		{`* | stats count by usr`, []string{`field "usr" in by of stats: no event has it (did you mean "user"?)`}},
		{`* | where byte > 10`, []string{`field "byte" in where: no event has it (did you mean "bytes"?)`}},
		{`* | table _time, User, status`, []string{`field "User" in table: no event has it (did you mean "user"?)`}},
		{`* | anomalies bytse`, []string{`field "bytse" in anomalies: no event has it (did you mean "bytes"?)`}},
		{`* | anomalies bytes by usre`, []string{`field "usre" in by of anomalies: no event has it (did you mean "user"?)`}},
		{`usr=alice`, []string{`field "usr" in search: no event has it (did you mean "user"?)`}},
		{`* | stats sum(byts) as b by user`, []string{`field "byts" in sum() of stats: no event has it (did you mean "bytes"?)`}},
		{`* | timechart span=1h count by stauts`, []string{`field "stauts" in by of timechart`}},
		{`* | top 3 usr by status`, []string{`field "usr" in top`}},
		{`* | dedup zzz`, []string{`field "zzz" in dedup: no event has it`}},
		{`* | stats count by user | where bytes > 1`, []string{`field "bytes" in where: the rows here do not have it (stats before left it out)`}},
		{`* | table user | stats count by status`, []string{`field "status" in by of stats: the rows here do not have it (table before left it out)`}},
		{`* | stats count by usr, usr | table usr`, []string{`in by of stats`, `in table`}},
		{`* | convert num(byts) as b`, []string{`field "byts" in num() of convert: no event has it (did you mean "bytes"?)`}},
		{`* | xyseries user stauts bytes`, []string{`field "stauts" in xyseries`}},
		{`* | chart count over usr by status`, []string{`field "usr" in chart`}},
		{`* | chart count over user | where bytes > 1`, []string{`field "bytes" in where: the rows here do not have it (chart before left it out)`}},
		{`* | untable user k v | stats count by status`, []string{`(untable before left it out)`}},
		// Made earlier in the pipe: no warning.
		{`* | convert num(bytes) as nb, ctime(nb) as t | where nb > 1 | table nb, t`, nil},
		{`* | chart count as n over user | where n > 1`, nil},
		{"* | chart count over user by status | table user, `200`", nil},
		{"* | stats count by user, status | xyseries user status count | table user, `404`", nil},
		{`* | stats count by user, status | untable user k v | stats sum(v) by k`, nil},
		{`* | stats count by user | addtotals col=true labelfield=who | where Total > 1 | table who`, nil},
		{`* | addtotals fieldname=sum bytes | where sum > 0`, nil},
		{`* | eval kb = bytes / 1024 | stats avg(kb) by user`, nil},
		{`* | rex field=user "(?<first>.)" | stats count by first`, nil},
		{`* | rename user as who | stats count by who | table who, count`, nil},
		{`* | stats count as n, dc(status) as codes, max(bytes) by user | where n > 1 | table user, n, codes`, nil},
		{`* | eventstats avg(bytes) as mean by user | where bytes > mean`, nil},
		{`* | streamstats count as seq | where seq < 3`, nil},
		{`* | top user | where percent > 10 | table user, count, percent`, nil},
		{`* | timechart span=1h count by user | table _time, alice`, nil},
		{`* | bin _time span=1h | stats count by _time | anomalies count | where is_anomaly | table _time, anomaly_score`, nil},
		{`* | patterns field=user | stats count by pattern_id, pattern`, nil},
		{`source=a sourcetype=test | table _raw, source`, nil},
		{`* | where isnotnull(dur) AND status >= 400 | dedup user`, nil},
	}
	for _, c := range cases {
		var got []string
		q, err := Parse(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		opt := Options{Warn: func(m string) { got = append(got, m) }}
		if _, err := Run(context.Background(), s.DB, q, opt, func(*Batch) error { return nil }); err != nil &&
			!strings.Contains(err.Error(), "no row has") {
			t.Fatalf("%s: %v", c.q, err)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: warnings %q, want %d", c.q, got, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: warning %q, want %q", c.q, got[i], w)
			}
		}
	}
}

// A store that cannot list its fields gets no warnings and no error.
func TestUnknownFieldWarningsNeedACatalog(t *testing.T) {
	s := newTestStore(t)
	s.add("a", randomEvents(rand.New(rand.NewPCG(1, 1)), 10), 10)
	q, _ := Parse(`* | stats count by usr`)
	warned := false
	_, err := Run(context.Background(), scanOnly{s.DB}, q, Options{Warn: func(string) { warned = true }}, func(*Batch) error { return nil })
	if err != nil || warned {
		t.Errorf("err %v, warned %v", err, warned)
	}
}

// scanOnly hides the store's catalog.
type scanOnly struct{ db *store.DB }

func (s scanOnly) Scan(ctx context.Context, spec store.ScanSpec, work func(*store.Chunk) (any, error),
	emit func(*store.Chunk, any) error) (store.ScanStats, error) {
	return s.db.Scan(ctx, spec, work, emit)
}
func (s scanOnly) NewestTime() (int64, bool, error) { return s.db.NewestTime() }
