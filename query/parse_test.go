package query

import (
	"reflect"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// parseCases are queries that parse, with their canonical text ("" when
// it is the query itself). They also seed FuzzParse.
var parseCases = []struct{ q, want string }{
	// search terms
	{`*`, ``},
	{`| stats count`, ``},
	{`error`, ``},
	{`search error`, `error`},
	{`SEARCH Error`, `Error`},
	{`"Failed password"`, ``},
	{`'Failed password'`, `"Failed password"`},
	{`fail* 10.0.* wp-login /wp-login.php`, ``},
	{`user=adm* host!=web01 status>=500 bytes<100 n<=1 m>2`, ``},
	{`user="john smith" msg='single'`, `user="john smith" msg=single`},
	{`msg='it' 's'`, `msg=it "s"`},
	{`status IN (404, 500, "5*")`, `status IN (404, 500, 5*)`},
	{`status in (404 500)`, `status IN (404, 500)`},
	{`a AND b OR c`, `a b OR c`},
	{`a and (b or not c)`, `a (b OR NOT c)`},
	{`NOT NOT a`, ``},
	{`earliest=-24h latest=now error`, ``},
	{`earliest=2025-03-06 latest=2025-03-06T08:00:00Z`, ``},
	{`earliest=-1d@d latest=@d`, ``},
	{"`my field`=x", ``},
	{`x="a \"quoted\" b"`, ``},
	{`x="back\\slash" "a\\"`, `x=back\slash "a\\"`},
	{`don't`, ``},
	{`x=in`, `x="in"`},
	{`logged in`, ``},
	{`in`, ``},
	// stages
	{`| search a OR b`, ``},
	{`| where status >= 500 AND NOT isnull(user)`, ``},
	{`| where x == 1 OR y != 2 AND z < 3 OR w <= 4 AND v > 5 AND u >= 6`, ``},
	{`| where user like "adm%" AND ip NOT LIKE "10.%" AND s in ("a", "b") AND t not in (1)`, `| where user LIKE "adm%" AND ip NOT LIKE "10.%" AND s IN ("a", "b") AND t NOT IN (1)`},
	{`| where -x * (2 + 3) / 4 % 5 - -1 > 5m`, ``},
	{`| where a.b.c = true AND d = false OR e = NULL`, `| where a.b.c = true AND d = false OR e = null`},
	{"| where `user-agent` = 'curl'", "| where `user-agent` = \"curl\""},
	{`| eval x = 1, y = "s", z = if(a > 1, 1.5, 2e3)`, ``},
	{`| eval n=len(upper(lower(s)))`, `| eval n = len(upper(lower(s)))`},
	{`| eval t = strftime(relative_time(now(), "-1d@d"), "%F %T")`, ``},
	{`| rex "(?<user>\S+)"`, ``},
	{`| rex field=message "from (?P<ip>[\d.]+)"`, ``},
	{`| fields a, b, c`, ``},
	{`| fields - _raw source`, `| fields - _raw, source`},
	{`| fields + a`, `| fields a`},
	{`| table _time, user-agent, intel/ti.csv`, ``},
	{`| rename a as b, c AS d`, `| rename a as b, c as d`},
	{`| stats count`, ``},
	{`| stats count, count(x), dc(y) AS d, sum(b), avg(b), mean(b), min(b), max(b) by h, u`, `| stats count, count(x), dc(y) as d, sum(b), avg(b), mean(b), min(b), max(b) by h, u`},
	{`| stats median(x) stdev(x) var(x) perc95(x) p99(x) perc99.9(x) values(u) earliest(u) latest(u) range(_time)`, `| stats median(x), stdev(x), var(x), perc95(x), p99(x), perc99.9(x), values(u), earliest(u), latest(u), range(_time)`},
	{`| STATS COUNT BY host`, `| stats count by host`},
	{`| bin _time span=1m`, ``},
	{`| bin span=5m`, ``},
	{`| bin bytes span=1h`, ``},
	{`| timechart span=1h count`, ``},
	{`| timechart span=1m avg(bytes) by host limit=5`, ``},
	{`| eventstats avg(bytes) as avg_bytes by clientip`, ``},
	{`| streamstats count`, ``},
	{`| streamstats window=5 time_window=10m count as n, avg(x) by user`, ``},
	{`| sort -count, clientip`, ``},
	{`| sort - count +x y`, `| sort -count, x, y`},
	{`| head`, ``},
	{`| head 20 | tail 5`, ``},
	{`| dedup user src_ip`, `| dedup user, src_ip`},
	{`| top clientip`, ``},
	{`| top 5 clientip by status`, ``},
	{`| top limit=5 clientip`, ``},
	{`| rare useragent by host`, ``},
	{`| rare 3 a b`, `| rare 3 a, b`},
	{`| lookup ti.csv ip`, ``},
	{`| lookup "threat intel.csv" ip as src_ip OUTPUT threat, actor`, ``},
	{`| lookup intel/ti.csv ip output threat`, `| lookup intel/ti.csv ip OUTPUT threat`},
	{`| anomalies`, ``},
	{`| anomalies attempts, ips by user contamination=0.01`, ``},
	{`| anomalies by user contamination=auto trees=50 sample=128 seed=7 method=mad save=weekly`, ``},
	{`| anomalies contamination=0.05 x model=weekly`, ``},
	{`| patterns`, ``},
	{`| patterns field=message`, ``},
	{"\"Failed password\" host=bastion earliest=-7d\n| rex \"for (invalid user )?(?<user>\\S+) from (?<src_ip>\\S+)\"\n| bin _time span=1m\n| stats count as attempts, dc(src_ip) as ips by _time, user\n| anomalies attempts, ips by user contamination=0.01\n| where is_anomaly\n| sort -anomaly_score\n| head 20",
		`"Failed password" host=bastion earliest=-7d | rex "for (invalid user )?(?<user>\S+) from (?<src_ip>\S+)" | bin _time span=1m | stats count as attempts, dc(src_ip) as ips by _time, user | anomalies attempts, ips by user contamination=0.01 | where is_anomaly | sort -anomaly_score | head 20`},
}

func TestParseCanonical(t *testing.T) {
	for _, c := range parseCases {
		ast, err := Parse(c.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.q, err)
			continue
		}
		want := c.want
		if want == "" {
			want = c.q
			if c.q == "*" {
				want = "*"
			}
		}
		if got := ast.String(); got != want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", c.q, got, want)
		}
		checkRoundTrip(t, c.q, ast)
	}
}

// checkRoundTrip asserts parse(print(ast)) equals ast, positions aside.
func checkRoundTrip(t *testing.T, q string, ast *Query) {
	t.Helper()
	printed := ast.String()
	again, err := Parse(printed)
	if err != nil {
		t.Errorf("round trip of %q: reparse %q: %v", q, printed, err)
		return
	}
	if again.String() != printed {
		t.Errorf("round trip of %q: %q printed as %q", q, printed, again.String())
	}
	a, b := clearPositions(ast), clearPositions(again)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip of %q: ASTs differ after printing as %q", q, printed)
	}
}

var positionType = reflect.TypeOf(lexer.Position{})

// clearPositions returns a deep copy of v's AST with every lexer.Position
// zeroed, by reflection.
func clearPositions(q *Query) *Query {
	c := reflect.New(reflect.TypeOf(q).Elem())
	copyClear(c.Elem(), reflect.ValueOf(q).Elem())
	return c.Interface().(*Query)
}

func copyClear(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(src.Type().Elem()))
			copyClear(dst.Elem(), src.Elem())
		}
	case reflect.Interface:
		if !src.IsNil() {
			v := reflect.New(src.Elem().Type()).Elem()
			copyClear(v, src.Elem())
			dst.Set(v)
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
			for i := 0; i < src.Len(); i++ {
				copyClear(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Struct:
		if src.Type() == positionType {
			return
		}
		for i := 0; i < src.NumField(); i++ {
			if dst.Field(i).CanSet() {
				copyClear(dst.Field(i), src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

func TestParseStageTypes(t *testing.T) {
	q, err := Parse(`a | where x | eval y=1 | rex "(?<a>.)" | fields a | table a | rename a as b | stats count | bin span=1m | timechart span=1m count | eventstats count | streamstats count | sort a | head | tail | dedup a | top a | rare a | lookup f.csv k | anomalies | patterns | search b`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Command{&SearchCmd{}, &WhereCmd{}, &EvalCmd{}, &RexCmd{}, &FieldsCmd{}, &TableCmd{},
		&RenameCmd{}, &StatsCmd{}, &BinCmd{}, &TimechartCmd{}, &EventstatsCmd{}, &StreamstatsCmd{},
		&SortCmd{}, &HeadCmd{}, &TailCmd{}, &DedupCmd{}, &TopCmd{}, &RareCmd{}, &LookupCmd{},
		&AnomaliesCmd{}, &PatternsCmd{}, &SearchCmd{}}
	if len(q.Stages) != len(want) {
		t.Fatalf("got %d stages, want %d", len(q.Stages), len(want))
	}
	for i, st := range q.Stages {
		if reflect.TypeOf(st) != reflect.TypeOf(want[i]) {
			t.Errorf("stage %d is %T, want %T", i, st, want[i])
		}
		if st.Position().Offset == 0 && i > 0 {
			t.Errorf("stage %d has no position", i)
		}
	}
	if len(StageNames()) != len(stageModes) || len(commandTypes) != len(stageModes) {
		t.Errorf("stage tables disagree: help %d, lexer %d, grammar %d", len(StageNames()), len(stageModes), len(commandTypes))
	}
}
