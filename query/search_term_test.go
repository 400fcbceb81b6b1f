package query

import (
	"reflect"
	"testing"
	"time"

	"loghunt/store"
)

func searchTerm(t *testing.T, q string) *Term {
	t.Helper()
	ast, err := Parse(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return ast.Stages[0].(*SearchCmd).Term
}

func TestTermTree(t *testing.T) {
	cases := []struct {
		q    string
		want *Term
	}{
		{`error`, &Term{Kind: TermWord, Value: "error"}},
		{`fail*`, &Term{Kind: TermWord, Value: "fail*", Wildcard: true}},
		{`"a b"`, &Term{Kind: TermPhrase, Value: "a b"}},
		{`user=adm*`, &Term{Kind: TermCompare, Field: "user", Op: "=", Value: "adm*", Wildcard: true}},
		{`status>=500`, &Term{Kind: TermCompare, Field: "status", Op: ">=", Value: "500", num: 500, isNum: true}},
		{`x IN (a, "b*")`, &Term{Kind: TermIn, Field: "x", Values: []string{"a", "b*"}, Wildcard: true}},
		// Splunk's search: NOT binds tightest, then OR, then AND (implicit
		// or written), so OR joins the two terms beside it.
		{`a b OR c`, &Term{Kind: TermAnd, Args: []*Term{
			{Kind: TermWord, Value: "a"},
			{Kind: TermOr, Args: []*Term{{Kind: TermWord, Value: "b"}, {Kind: TermWord, Value: "c"}}}}}},
		{`a AND b OR c`, &Term{Kind: TermAnd, Args: []*Term{
			{Kind: TermWord, Value: "a"},
			{Kind: TermOr, Args: []*Term{{Kind: TermWord, Value: "b"}, {Kind: TermWord, Value: "c"}}}}}},
		{`a OR b c`, &Term{Kind: TermAnd, Args: []*Term{
			{Kind: TermOr, Args: []*Term{{Kind: TermWord, Value: "a"}, {Kind: TermWord, Value: "b"}}},
			{Kind: TermWord, Value: "c"}}}},
		{`(a b) OR c`, &Term{Kind: TermOr, Args: []*Term{
			{Kind: TermAnd, Args: []*Term{{Kind: TermWord, Value: "a"}, {Kind: TermWord, Value: "b"}}},
			{Kind: TermWord, Value: "c"}}}},
		{`NOT a OR b`, &Term{Kind: TermOr, Args: []*Term{
			{Kind: TermNot, Args: []*Term{{Kind: TermWord, Value: "a"}}},
			{Kind: TermWord, Value: "b"}}}},
		{`a OR b NOT c OR d`, &Term{Kind: TermAnd, Args: []*Term{
			{Kind: TermOr, Args: []*Term{{Kind: TermWord, Value: "a"}, {Kind: TermWord, Value: "b"}}},
			{Kind: TermOr, Args: []*Term{
				{Kind: TermNot, Args: []*Term{{Kind: TermWord, Value: "c"}}},
				{Kind: TermWord, Value: "d"}}}}}},
		{`a OR b OR c`, &Term{Kind: TermOr, Args: []*Term{
			{Kind: TermWord, Value: "a"}, {Kind: TermWord, Value: "b"}, {Kind: TermWord, Value: "c"}}}},
		{`a (b c)`, &Term{Kind: TermAnd, Args: []*Term{
			{Kind: TermWord, Value: "a"}, {Kind: TermWord, Value: "b"}, {Kind: TermWord, Value: "c"}}}},
		{`NOT a`, &Term{Kind: TermNot, Args: []*Term{{Kind: TermWord, Value: "a"}}}},
		{`earliest=-1d latest=now`, &Term{Kind: TermAnd, Args: []*Term{
			{Kind: TermEarliest, Value: "-1d"}, {Kind: TermLatest, Value: "now"}}}},
		{`*`, nil},
		{`| head`, nil},
	}
	for _, c := range cases {
		got := searchTerm(t, c.q)
		clearTermPos(got)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.q, got, c.want)
		}
	}
}

func clearTermPos(t *Term) {
	if t == nil {
		return
	}
	t.Pos = Term{}.Pos
	for _, a := range t.Args {
		clearTermPos(a)
	}
}

func TestTimeRange(t *testing.T) {
	now := time.Date(2025, 3, 6, 8, 30, 0, 0, time.UTC)
	ast, err := Parse(`error earliest=-1d@d earliest=-2d latest=2025-03-06T08:00:00Z`)
	if err != nil {
		t.Fatal(err)
	}
	e, l, err := ast.Stages[0].(*SearchCmd).TimeRange(now)
	if err != nil || !e.Equal(time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC)) || !l.Equal(time.Date(2025, 3, 6, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("TimeRange = %v, %v, %v", e, l, err)
	}
}

func TestTermMatch(t *testing.T) {
	raw := "Mar  6 08:00:01 web01 sshd[4242]: Failed password for root from 203.0.113.5 port 52311 ssh2 GET /wp-login.php"
	fields := map[string]store.Value{
		"host": store.Str("web01"), "status": store.Int(404), "user": store.Str("Admin"),
		"bytes": store.Str("1500"), "ip": store.Str("10.0.3.4"),
	}
	get := func(f string) store.Value { return fields[f] }
	cases := []struct {
		q    string
		want bool
	}{
		{`failed`, true}, {`FAILED`, true}, {`fail`, false}, {`fail*`, true}, {`*word`, true}, {`pass*d`, true},
		{`f*d`, true}, {`"failed password"`, true}, {`"failed pass"`, false}, {`"ailed password"`, false}, {`"wp-login"`, true}, {`"/wp-login.php"`, true}, {`"failedpass"`, false},
		{`wp-login`, true}, {`wp-log`, false}, {`/wp-login.php`, true}, {`203.0.113.*`, true}, {`203.0.114.*`, false},
		{`sshd[4242]:`, true}, {`4242`, true}, {`424`, false},
		{`host=web01`, true}, {`host=WEB01`, true}, {`host=web*`, true}, {`host=db*`, false}, {`host!=web01`, false},
		{`missing=x`, false}, {`missing!=x`, false}, {`missing=*`, false}, {`host=*`, true},
		{`status=404`, true}, {`status>=400`, true}, {`status<400`, false}, {`bytes>999`, true}, {`bytes<=1500`, true},
		{`status IN (200, 404)`, true}, {`user IN (root, admin)`, true}, {`user IN (ro*)`, false},
		{`failed AND root`, true}, {`failed OR nothing`, true}, {`nothing OR nowhere`, false},
		{`nothing failed OR root`, false}, {`failed nothing OR root`, true}, {`(nothing failed) OR root`, true},
		{`NOT nothing`, true}, {`NOT failed`, false}, {`failed NOT (root OR admin)`, false},
		{`* earliest=-1d`, true}, {`ip=10.0.*`, true},
	}
	for _, c := range cases {
		term := searchTerm(t, c.q)
		if got := term == nil || term.filter().MatchRow(raw, get); got != c.want {
			t.Errorf("%s: Match = %v, want %v", c.q, got, c.want)
		}
	}
}

func TestRequiredTokens(t *testing.T) {
	cases := []struct {
		q    string
		want []string
	}{
		{`Failed`, []string{"failed"}},
		{`fail*`, []string{}},
		{`wp-login`, []string{"login", "wp"}},
		{`10.0.*`, []string{"0", "10"}},
		{`"Failed password for"`, []string{"failed", "for", "password"}},
		{`(a b) OR (a c)`, []string{"a"}},
		{`a b OR a c`, []string{"a", "c"}},
		{`a NOT b host=x`, []string{"a"}},
	}
	for _, c := range cases {
		if got := RequiredTokens(searchTerm(t, c.q)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: RequiredTokens = %q, want %q", c.q, got, c.want)
		}
	}
}

// TestFieldValueASCIICase: field=value ignores ASCII case only, as its
// documentation says and as words, phrases and user=adm* do; it folded
// Unicode, so user=ÜNÏ found "ünï" but user=ÜN* did not (found by the
// differential test).
func TestFieldValueASCIICase(t *testing.T) {
	fields := map[string]store.Value{"user": store.Str("ünï"), "host": store.Str("Web01")}
	get := func(f string) store.Value { return fields[f] }
	for q, want := range map[string]bool{`user=ÜNÏ`: false, `user=ÜN*`: false, `user=ünï`: true, `user=üN*`: true,
		`host=WEB01`: true, `user IN (ÜNÏ)`: false, `user!=ÜNÏ`: true} {
		if got := searchTerm(t, q).filter().MatchRow("", get); got != want {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
}
