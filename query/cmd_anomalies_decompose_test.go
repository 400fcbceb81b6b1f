package query

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"loghunt/store"
)

// handSeries is twelve hourly counts with a 3-hour cycle (10, 40, 10) and
// a burst of 100 in place of 40 at hour 10, worked by hand in
// TestAnomaliesDecomposeHand.
var handSeries = []int{10, 40, 10, 12, 40, 10, 10, 40, 11, 10, 100, 10}

// timeRows makes rows of _time (hourly from base, in the order of at) and
// count.
func timeRows(ys []int, at []int) *Batch {
	b := &Batch{Fields: []string{"_time", "count"}, Cols: make([][]store.Value, 2)}
	for _, i := range at {
		b.Cols[0] = append(b.Cols[0], store.Time(base+int64(i)*int64(time.Hour)))
		b.Cols[1] = append(b.Cols[1], store.Int(int64(ys[i])))
		b.Len++
	}
	return b
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func floats(b *Batch, name string) []float64 {
	out := make([]float64, b.Len)
	for r := range out {
		out[r] = math.NaN()
		if v := b.Get(name, r); !v.IsNull() {
			out[r], _ = v.Number()
		}
	}
	return out
}

// handWork is handSeries decomposed with period=3h by hand (windows of 3
// around each point, kept inside the series):
//
//	first trend, the moving median of y: 10 10 12 12 12 10 10 11 11 11 10 10
//	  (the burst is one of three and never the median)
//	season, the median per phase of y − trend: phase 0 {0 0 0 −1} 0,
//	  phase 1 {30 28 29 90} 29.5, phase 2 {−2 0 0 0} 0
//	trend again, of y − season (10 10.5 10 12 10.5 10 10 10.5 11 10 70.5 10):
//	  10 10 10.5 10.5 10.5 10 10 10.5 10.5 11 10 10
//	season again: phase 0 {0 1.5 0 −1} 0, phase 1 {30 29.5 29.5 90} 29.75,
//	  phase 2 {−.5 0 .5 0} 0
//	trend again, of y − season: 10 10 10.25 10.25 10.25 10 10 10.25 10.25 11 10 10
//	last season: phase 0 {0 1.75 0 −1} 0, phase 1 {30 29.75 29.75 90}
//	  29.875, phase 2 {−.25 0 .75 0} 0
//	expected = trend + season: 10 39.875 10.25 10.25 40.125 10 10 40.125
//	  10.25 11 39.875 10
//	residual: 0 .125 −.25 1.75 −.125 0 0 −.125 .75 −1 60.125 0
//	sorted: −1 −.25 −.125 −.125 0 0 0 0 .125 .75 1.75 60.125; Q10 at
//	  index 1.1 is −.2375, Q90 at 9.9 is 1.65, the range 1.8875
//	fences (k = 1.5, 2.83125 wide): −3.06875 and 4.48125, so the band is
//	  expected − 3.06875 to expected + 4.48125 and only hour 10 is outside,
//	  (60.125 − 1.65) / 1.8875 ranges above Q90.
var handExpected = []float64{10, 39.875, 10.25, 10.25, 40.125, 10, 10, 40.125, 10.25, 11, 39.875, 10}

const handLow, handHigh = -3.06875, 4.48125

// handScore is the score of a residual u ranges beyond [Q10, Q90].
func handScore(u float64) float64 { return 1 - 1/(1+math.Log2(1+u/1.5)) }

// TestAnomaliesDecomposeHand: the expected value, band, scores, flags
// and reason of handSeries are the ones worked by hand, whatever the
// order of the rows.
func TestAnomaliesDecomposeHand(t *testing.T) {
	for _, order := range [][]int{seq(12), {11, 3, 7, 0, 10, 5, 1, 9, 2, 8, 4, 6}} {
		out := mustAnomalies(t, "method=decompose period=3h count", timeRows(handSeries, order), nil)
		for r, i := range order {
			e, lo, hi := floats(out, "expected")[r], floats(out, "lower")[r], floats(out, "upper")[r]
			if !near(e, handExpected[i]) || !near(lo, handExpected[i]+handLow) || !near(hi, handExpected[i]+handHigh) {
				t.Errorf("hour %d: expected %v band %v–%v, want %v %v–%v", i, e, lo, hi,
					handExpected[i], handExpected[i]+handLow, handExpected[i]+handHigh)
			}
			flag := out.Get(colFlag, r).Truthy()
			if flag != (i == 10) {
				t.Errorf("hour %d: is_anomaly %v", i, flag)
			}
			s := scores(out)[r]
			want := 0.0
			switch i {
			case 10:
				want = handScore((60.125 - 1.65) / 1.8875)
			case 3: // residual 1.75, .1 / 1.8875 above Q90
				want = handScore(0.1 / 1.8875)
			case 9: // −1, (−.2375 − −1) / 1.8875 below Q10
				want = handScore(0.7625 / 1.8875)
			case 2: // −.25
				want = handScore(0.0125 / 1.8875)
			}
			if math.Abs(s-want) > 1e-6 {
				t.Errorf("hour %d: score %v, want %v", i, s, want)
			}
			reason := out.Get(colReason, r)
			if i == 10 {
				if want := "count 100 above expected 39.9 (band 36.8–44.4)"; reason.String() != want {
					t.Errorf("reason %q, want %q", reason, want)
				}
			} else if !reason.IsNull() {
				t.Errorf("hour %d: reason %q", i, reason)
			}
		}
	}
}

// near: the band columns have four decimals.
func near(a, b float64) bool { return math.Abs(a-b) <= 0.5e-4+1e-9 }

// TestAnomaliesDecomposeBy: by user makes a series per user: alice's is
// handSeries, bob's twice it (so his expected value and band are twice
// hers, his flags the same), carol's three points are too few and not
// scored, and a row without a user is not scored. The rows come
// interleaved, and keep their order.
func TestAnomaliesDecomposeBy(t *testing.T) {
	in := &Batch{Fields: []string{"_time", "user", "count"}, Cols: make([][]store.Value, 3)}
	add := func(hour int, user any, count int) {
		in.Cols[0] = append(in.Cols[0], store.Time(base+int64(hour)*int64(time.Hour)))
		in.Cols[1] = append(in.Cols[1], value(user))
		in.Cols[2] = append(in.Cols[2], store.Int(int64(count)))
		in.Len++
	}
	for i, y := range handSeries {
		add(i, "alice", y)
		add(11-i, "bob", 2*handSeries[11-i])
		if i < 3 {
			add(i, "carol", 5)
		}
	}
	add(4, nil, 7)
	out := mustAnomalies(t, "method=decompose period=3h count by user", in, nil)
	e, lo, hi := floats(out, "expected"), floats(out, "lower"), floats(out, "upper")
	for r := range out.Len {
		user, hour := out.Get("user", r).String(), int((out.Get("_time", r).I-base)/int64(time.Hour))
		reason := out.Get(colReason, r).String()
		switch user {
		case "alice", "bob":
			m := 1.0
			if user == "bob" {
				m = 2
			}
			if !near(e[r], m*handExpected[hour]) || !near(lo[r], m*(handExpected[hour]+handLow)) || !near(hi[r], m*(handExpected[hour]+handHigh)) {
				t.Errorf("%s hour %d: expected %v band %v–%v", user, hour, e[r], lo[r], hi[r])
			}
			if out.Get(colFlag, r).Truthy() != (hour == 10) {
				t.Errorf("%s hour %d: is_anomaly %v", user, hour, out.Get(colFlag, r))
			}
			if user == "bob" && hour == 10 && reason != "count 200 above expected 79.8 (band 73.6–88.7)" {
				t.Errorf("bob's reason %q", reason)
			}
		case "carol":
			if !math.IsNaN(scores(out)[r]) || reason != "not scored: the series of user=carol has 3 points, too few for period=3h (two periods: 6 points)" {
				t.Errorf("carol: score %v reason %q", scores(out)[r], reason)
			}
		default:
			if !math.IsNaN(scores(out)[r]) || reason != "not scored: user is null" {
				t.Errorf("null user: score %v reason %q", scores(out)[r], reason)
			}
		}
	}
	if got := out.Get("user", 0).String() + out.Get("user", 1).String(); got != "alicebob" {
		t.Errorf("rows reordered: %s", got)
	}
}

// TestAnomaliesDecomposeWide: several fields (timechart's columns per
// value of its by) are a series each, with expected_F, lower_F and
// upper_F; a row's score is its largest, its reason each flagged field's.
func TestAnomaliesDecomposeWide(t *testing.T) {
	in := timeRows(handSeries, seq(12))
	in.Fields = append(in.Fields, "alice")
	var al []store.Value
	for i := range handSeries {
		al = append(al, store.Int(int64(2*handSeries[11-i])))
	}
	in.Cols = append(in.Cols, al)
	out := mustAnomalies(t, "method=decompose period=3h", in, nil)
	if out.Col("expected") >= 0 || out.Col("expected_count") < 0 || out.Col("upper_alice") < 0 {
		t.Fatalf("fields %v", out.Fields)
	}
	for r := range out.Len {
		if !near(floats(out, "expected_count")[r], handExpected[r]) || !near(floats(out, "lower_alice")[r], 2*(handExpected[11-r]+handLow)) {
			t.Errorf("hour %d: %v %v", r, floats(out, "expected_count")[r], floats(out, "lower_alice")[r])
		}
		if want := r == 10 || r == 1; out.Get(colFlag, r).Truthy() != want {
			t.Errorf("hour %d: is_anomaly %v", r, out.Get(colFlag, r))
		}
	}
	if got := out.Get(colReason, 1).String(); got != "alice 200 above expected 79.8 (band 73.6–88.7)" {
		t.Errorf("reason %q", got)
	}
	if got, want := scores(out)[10], handScore((60.125-1.65)/1.8875); math.Abs(got-want) > 1e-6 {
		t.Errorf("score %v, want %v", got, want)
	}
}

// TestAnomaliesDecomposeErrors: mistakes in the options are parse errors
// at their column; a series that is not one (no _time, irregular steps,
// two rows at one time, too few points for the period) is an *Error at
// the stage, which the caller renders with the caret.
func TestAnomaliesDecomposeErrors(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{"| anomalies period=1d count", "period= goes with method=decompose"},
		{"| anomalies method=lof k=3 count", "k= goes with method=decompose"},
		{"| anomalies method=decompose contamination=0.1 count", "contamination= does not go with method=decompose"},
		{"| anomalies method=decompose trees=10 count", "trees= does not go with method=decompose"},
		{"| anomalies method=decompose n_neighbors=3 count", "n_neighbors= does not go with method=decompose"},
		{"| anomalies method=decompose save=m count", "method=decompose saves no model"},
		{"| anomalies method=decompose model=m", "method=decompose saves no model"},
		{"| anomalies method=decompose k=0 count", "k must be a positive number"},
		{"| anomalies method=decompose period=fortnight count", "period must be auto, none or a duration"},
		{"| anomalies method=decomp count", `unknown method "decomp" (did you mean "decompose"?)`},
	} {
		_, err := Parse(c.q)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q with a caret", c.q, err, c.want)
		}
	}
	hourly := timeRows(handSeries, seq(12))
	irregular := timeRows(handSeries, seq(12))
	irregular.Cols[0][5] = store.Time(base + 5*int64(time.Hour) + int64(25*time.Minute))
	twice := timeRows(handSeries, append(seq(12), 3))
	noTime := table([]string{"count"}, []any{1}, []any{2})
	text := timeRows(handSeries, seq(12))
	text.Cols[1][2] = store.Str("many")
	for _, c := range []struct {
		args string
		in   *Batch
		col  int
		want string
	}{
		{"method=decompose count", noTime, 3, "needs a time series, rows with _time at even steps"},
		{"method=decompose count", irregular, 3, "irregular spacing: the series steps by 35m, but 2025-03-06T00:00:00Z and 2025-03-06T01:00:00Z are 1h apart"},
		{"method=decompose count", twice, 3, "rows 4 and 13 of the series have the same _time 2025-03-06T03:00:00Z"},
		{"method=decompose period=1d count", hourly, 30, "the series has 12 points of 1h, too few for period=1d (two periods: 48 points)"},
		{"method=decompose period=90m count", hourly, 30, "period=90m is not a whole number of at least two of the series' 1h steps"},
		{"method=decompose count", timeRows(handSeries, seq(3)), 3, "too few for a baseline (at least 4)"},
		{"method=decompose bytes", hourly, 30, "no row has the field bytes"},
		{"method=decompose count", text, 30, `count is not a number in row 3 (many)`},
	} {
		_, err := runAnomalies(t, c.args, c.in, nil)
		var qe *Error
		if !errors.As(err, &qe) || !strings.Contains(qe.Msg, c.want) {
			t.Errorf("%s: %v, want %q", c.args, err, c.want)
			continue
		}
		if qe.Line != 1 || qe.Col != c.col {
			t.Errorf("%s: at %d:%d, want 1:%d", c.args, qe.Line, qe.Col, c.col)
		}
		qe.Query = "| anomalies " + c.args
		if lines := strings.Split(qe.Error(), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], strings.Repeat(" ", c.col-1)+"^ ") {
			t.Errorf("%s: rendered %q", c.args, qe.Error())
		}
	}
}

// loginWeek is a generated week of logins from 2025-03-03 (a Monday):
// each hour's count is Poisson with a mean that follows the clock (15 at
// night, up to 150 in the afternoon), and at three night hours a burst
// of 95 logins replaces the usual few: as many as most day hours have.
func loginWeek(seed uint64) (evs []store.Event, bursts []int64, counts map[int64]int) {
	r := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	burstAt := map[int]bool{1*24 + 3: true, 3*24 + 2: true, 5*24 + 4: true} // Tue 03:00, Thu 02:00, Sat 04:00
	counts = map[int64]int{}
	users := []string{"alice", "bob", "carol", "dave", "erin", "frank"}
	for h := range 7 * 24 {
		hod := float64(h % 24)
		mean := 15.0
		if hod >= 7 && hod <= 20 {
			mean += 135 * math.Sin(math.Pi*(hod-6)/15)
		}
		n := poisson(r, mean)
		at := start.Add(time.Duration(h) * time.Hour)
		if burstAt[h] {
			n = 95
			bursts = append(bursts, at.UnixNano())
		}
		counts[at.UnixNano()] = n
		for i := range n {
			u := users[r.IntN(len(users))]
			ts := at.UnixNano() + int64(i)*int64(time.Hour)/int64(n)
			evs = append(evs, store.Event{Time: ts, Raw: "login user=" + u,
				Fields: []store.Field{{Name: "user", Value: store.Str(u)}, {Name: "action", Value: store.Str("success")}}})
		}
	}
	return evs, bursts, counts
}

// TestAnomaliesDecomposeSeasonalLogins: on a week of hourly logins with a
// daily cycle, decompose (period detected) flags exactly the three night
// bursts, while a flat Isolation Forest on the same counts flags none of
// them and scores them below what it flags (the week's extremes): a burst
// of 95 is less than many afternoon hours.
func TestAnomaliesDecomposeSeasonalLogins(t *testing.T) {
	evs, bursts, counts := loginWeek(1)
	busier := 0
	for _, n := range counts {
		if n >= 95 {
			busier++
		}
	}
	if busier < 40 {
		t.Fatalf("the week has only %d hours of 95 logins or more; the bursts should be of a size the day often reaches", busier)
	}
	if path := os.Getenv("LOGHUNT_WRITE_LOGINS"); path != "" {
		writeLogins(t, path, evs) // for the README's worked example
	}
	db := newTestStore(t)
	db.add("auth", evs, 4000)
	flaggedTimes := func(q string) (flagged []int64, rows [][]string) {
		t.Helper()
		rows = db.run(q)
		h := rows[0]
		ti, fi := slices.Index(h, "_time"), slices.Index(h, colFlag)
		for _, r := range rows[1:] {
			if r[fi] == "true" {
				ts, err := time.Parse(time.RFC3339, r[ti])
				if err != nil {
					t.Fatal(err)
				}
				flagged = append(flagged, ts.UnixNano())
			}
		}
		return flagged, rows
	}
	got, rows := flaggedTimes("action=success | timechart span=1h count | anomalies method=decompose count")
	if len(rows) != 1+7*24 {
		t.Fatalf("%d rows", len(rows)-1)
	}
	if !slices.Equal(got, bursts) {
		t.Errorf("decompose flagged %v, want the bursts %v", showTimes(got), showTimes(bursts))
	}
	h := rows[0]
	for _, r := range rows[1:] {
		if r[slices.Index(h, colFlag)] == "true" && !strings.HasPrefix(r[slices.Index(h, colReason)], "count 95 above expected ") {
			t.Errorf("reason %q", r[slices.Index(h, colReason)])
		}
	}
	flat, frows := flaggedTimes("action=success | timechart span=1h count | anomalies count")
	if len(flat) == 0 {
		t.Fatal("the Isolation Forest flagged nothing")
	}
	score := map[int64]string{}
	for _, r := range frows[1:] {
		ts, _ := time.Parse(time.RFC3339, r[slices.Index(frows[0], "_time")])
		score[ts.UnixNano()] = r[slices.Index(frows[0], colScore)]
	}
	for _, ts := range flat {
		if slices.Contains(bursts, ts) {
			t.Errorf("the Isolation Forest flagged the burst at %s", showTimes([]int64{ts}))
		}
		for _, b := range bursts {
			if score[b] >= score[ts] { // both 0.dddd
				t.Errorf("a burst scores %s, the flagged %s (%d logins) %s", score[b], showTimes([]int64{ts}), counts[ts], score[ts])
			}
		}
	}
	t.Logf("Isolation Forest flagged %v; bursts score %s %s %s", showTimes(flat), score[bursts[0]], score[bursts[1]], score[bursts[2]])
	// explain compares a burst with the expected value for its hour, not
	// with the week's median.
	for _, r := range db.run("action=success | timechart span=1h count | anomalies method=decompose count | explain | where is_anomaly | table explanation")[1:] {
		if !strings.Contains(r[0], "count=95 in one hour at ") || !strings.Contains(r[0], " times the expected ") || !strings.Contains(r[0], " for that time.") {
			t.Errorf("explanation %q", r[0])
		}
	}
	// The hourly cycle is what period=auto found: without a season the
	// bursts are not all told apart from the day.
	none, _ := flaggedTimes("action=success | timechart span=1h count | anomalies method=decompose period=none count")
	if slices.Equal(none, bursts) {
		t.Errorf("period=none flagged exactly the bursts too; the test does not show the season's part")
	}
}

// writeLogins writes the week as an auth.log with RFC 3339 times, which
// loghunt ingest reads as the same events (action=success, user).
func writeLogins(t *testing.T, path string, evs []store.Event) {
	var b strings.Builder
	for i, e := range evs {
		fmt.Fprintf(&b, "%s bastion sshd[%d]: Accepted password for %s from 10.0.%d.%d port %d ssh2\n",
			time.Unix(0, e.Time).UTC().Format("2006-01-02T15:04:05+00:00"), 1000+i%30000, e.Get("user").S, i%7, 10+i%200, 40000+i%20000)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAnomaliesDecomposeSeasonalSeeds: the same week drawn from twenty
// seeds (five with -short): decompose finds every burst of every week, and flags few other
// hours (about one in a thousand: Poisson noise of the afternoon beyond
// the fences now and then); the Isolation Forest flags no burst of any.
func TestAnomaliesDecomposeSeasonalSeeds(t *testing.T) {
	others, seeds := 0, uint64(20)
	if testing.Short() {
		seeds = 5
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		evs, bursts, _ := loginWeek(seed)
		db := newTestStore(t)
		db.add("auth", evs, 4000)
		flags := func(q string) map[int64]bool {
			rows := db.run(q)
			ti, fi := slices.Index(rows[0], "_time"), slices.Index(rows[0], colFlag)
			out := map[int64]bool{}
			for _, r := range rows[1:] {
				if r[fi] == "true" {
					ts, _ := time.Parse(time.RFC3339, r[ti])
					out[ts.UnixNano()] = true
				}
			}
			return out
		}
		dec := flags("action=success | timechart span=1h count | anomalies method=decompose count")
		flat := flags("action=success | timechart span=1h count | anomalies count")
		for _, b := range bursts {
			if !dec[b] {
				t.Errorf("seed %d: decompose missed the burst at %s", seed, formatTime(b))
			}
			if flat[b] {
				t.Errorf("seed %d: the Isolation Forest flagged the burst at %s", seed, formatTime(b))
			}
		}
		others += len(dec) - len(bursts)
	}
	if others > int(max(2, 3*seeds/10)) { // of 165 ordinary hours a week
		t.Errorf("decompose flagged %d ordinary hours in %d weeks", others, seeds)
	}
	t.Logf("decompose flagged %d ordinary hours of %d", others, int(seeds)*165)
}

func showTimes(ts []int64) []string {
	var out []string
	for _, t := range ts {
		out = append(out, formatTime(t))
	}
	return out
}

// TestAnomaliesDecomposeWeekly: daily counts over five weeks, busy on
// weekdays (100 to 104) and quiet at weekends (10 to 12), and one
// Saturday as busy as a weekday. period=auto finds the week (7 points: a
// day is one point of 1d, no season), flags that Saturday only and
// expects it at a weekend's level; without the season nothing of the
// ordinary weeks stands out either way, so period=none cannot tell it.
func TestAnomaliesDecomposeWeekly(t *testing.T) {
	monday := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC).UnixNano()
	b := &Batch{Fields: []string{"_time", "count"}, Cols: make([][]store.Value, 2)}
	busySaturday := 2*7 + 5
	for d := range 35 {
		n := 100 + d%5
		if d%7 >= 5 {
			n = 10 + d%3
		}
		if d == busySaturday {
			n = 101
		}
		b.Cols[0] = append(b.Cols[0], store.Time(monday+int64(d)*int64(24*time.Hour)))
		b.Cols[1] = append(b.Cols[1], store.Int(int64(n)))
		b.Len++
	}
	out := mustAnomalies(t, "method=decompose count", b, nil)
	if got := flagged(out); !slices.Equal(got, []int{busySaturday}) {
		t.Errorf("flagged %v, want [%d]", got, busySaturday)
	}
	if e := floats(out, "expected")[busySaturday]; !(e >= 9 && e <= 13) {
		t.Errorf("the Saturday's expected value %v, want a weekend's", e)
	}
	none := mustAnomalies(t, "method=decompose period=none count", b, nil)
	if slices.Contains(flagged(none), busySaturday) {
		t.Errorf("period=none flags the busy Saturday too (%v); the season is not what finds it", flagged(none))
	}
}
