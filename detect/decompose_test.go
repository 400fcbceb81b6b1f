package detect

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func close9(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestDecomposeNoSeason: a rising series with a spike, worked by hand.
// Window 7: trend 4,4,4,4,5,6,7,7,7,7; residuals −3,−2,−1,0,0,0,0,1,2,23;
// Q10 = −3 + 0.9·1 = −2.1, Q90 = 2 + 0.1·21 = 4.1, range 6.2; fences
// −2.1 − 9.3 = −11.4 and 4.1 + 9.3 = 13.4; only 30 is beyond, by
// (23 − 4.1)/6.2.
func TestDecomposeNoSeason(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 30}
	d, err := Decompose(y, DecomposeParams{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Trend, []float64{4, 4, 4, 4, 5, 6, 7, 7, 7, 7}) {
		t.Fatalf("trend %v", d.Trend)
	}
	if !close9(d.Q10, -2.1) || !close9(d.Q90, 4.1) {
		t.Fatalf("Q10 %v Q90 %v", d.Q10, d.Q90)
	}
	for i := range y {
		if d.Flag[i] != (i == 9) {
			t.Errorf("point %d flag %v", i, d.Flag[i])
		}
	}
	u := (23 - 4.1) / 6.2
	if !close9(d.Outlier[9], u) || !close9(d.Score[9], 1-1/(1+math.Log2(1+u/1.5))) || d.Score[9] <= 0.5 {
		t.Errorf("outlier %v score %v", d.Outlier[9], d.Score[9])
	}
	if !close9(d.Upper[8], 7+13.4) || !close9(d.Lower[8], 7-11.4) || d.Score[3] != 0 {
		t.Errorf("band %v–%v, score %v", d.Lower[8], d.Upper[8], d.Score[3])
	}
}

// TestDecomposeSeason: the cycle 0,4,8,4 four times, with 9 in place of
// the second season's 8 and 20 in place of the fourth season's 4.
// First trend, windows of the 4 points from i−2: median 4, but 6 for the
// last four points (their windows hold the 20). Seasonal medians by
// phase of y − trend: −4, 0, 4, 0. The series less its season is 4 but
// 5 at point 6 and 20 at point 13: its moving median, the trend, is 4
// everywhere (the burst no longer lifts it), and the season from it is
// again −4, 0, 4, 0. Residuals: 1 at point 6, 16 at point 13, else 0;
// Q10 = 0, Q90 = 0.5 (index 13.5 of 16 sorted), range 0.5; fences −0.75
// and 1.25: the 1 is inside (1 range above Q90), the 20 is 31 ranges
// beyond, its band 4 + [−0.75, 1.25].
func TestDecomposeSeason(t *testing.T) {
	var y []float64
	for range 4 {
		y = append(y, 0, 4, 8, 4)
	}
	y[6], y[13] = 9, 20
	d, err := Decompose(y, DecomposeParams{Period: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.Trend {
		if v != 4 {
			t.Fatalf("trend %v", d.Trend)
		}
		if want := []float64{-4, 0, 4, 0}[i%4]; d.Seasonal[i] != want {
			t.Fatalf("seasonal %v", d.Seasonal)
		}
	}
	wantRes := make([]float64, 16)
	wantRes[6], wantRes[13] = 1, 16
	if !slices.Equal(d.Residual, wantRes) || d.Q10 != 0 || d.Q90 != 0.5 {
		t.Fatalf("residual %v Q10 %v Q90 %v", d.Residual, d.Q10, d.Q90)
	}
	for i := range y {
		if d.Flag[i] != (i == 13) {
			t.Errorf("point %d flag %v", i, d.Flag[i])
		}
	}
	if d.Outlier[13] != 31 || d.Expected[13] != 4 || d.Lower[13] != 3.25 || d.Upper[13] != 5.25 {
		t.Errorf("outlier %v expected %v band %v–%v", d.Outlier[13], d.Expected[13], d.Lower[13], d.Upper[13])
	}
	if d.Outlier[6] != 1 || !close9(d.Score[6], 1-1/(1+math.Log2(1+1/1.5))) {
		t.Errorf("point 6: outlier %v score %v", d.Outlier[6], d.Score[6])
	}
	// k widens the fences: at k=40 the 31 ranges are inside.
	d, _ = Decompose(y, DecomposeParams{Period: 4, K: 40})
	if d.Flag[13] || d.Score[13] >= 0.5 {
		t.Errorf("k=40 flags %v score %v", d.Flag[13], d.Score[13])
	}
}

// TestDecomposeMissingAndFlat: NaN points are skipped and stay unscored;
// a flat series flags any point off it with score 1; bad input fails.
func TestDecomposeMissingAndFlat(t *testing.T) {
	y := []float64{5, 5, math.NaN(), 5, 5, 5, 5, 9, 5, 5, 5, 5}
	d, err := Decompose(y, DecomposeParams{})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(d.Score[2]) || d.Flag[2] || !d.Flag[7] || d.Score[7] != 1 || d.Expected[2] != 5 {
		t.Errorf("scores %v flags %v", d.Score, d.Flag)
	}
	if d.Flag[0] || d.Score[0] != 0 {
		t.Errorf("a point on the line: %v %v", d.Flag[0], d.Score[0])
	}
	if _, err := Decompose([]float64{math.NaN()}, DecomposeParams{}); err == nil {
		t.Error("no number: no error")
	}
	if _, err := Decompose([]float64{1, math.Inf(1)}, DecomposeParams{}); err == nil {
		t.Error("infinity: no error")
	}
}

// TestDetectPeriod: a daily cycle of hourly points is found at 24 (a
// week does not fit twice in a week); noise has no season.
func TestDetectPeriod(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	y, noise := make([]float64, 168), make([]float64, 168)
	for i := range y {
		y[i] = 50 + 40*math.Sin(2*math.Pi*float64(i)/24) + r.NormFloat64()*5
		noise[i] = r.NormFloat64()
	}
	if p := DetectPeriod(y, []int{24, 168}); p != 24 {
		t.Errorf("daily cycle: period %d", p)
	}
	if p := DetectPeriod(noise, []int{24, 168}); p != 0 {
		t.Errorf("noise: period %d", p)
	}
	if p := DetectPeriod(y[:40], []int{24}); p != 0 {
		t.Errorf("less than two seasons: period %d", p)
	}
	if a := Autocorrelation([]float64{3, 3, 3}, 1); a != 0 {
		t.Errorf("constant: %v", a)
	}
}

// TestMovingMedianNaive: the sliding Fenwick-tree median equals sorting
// each window, on random series with ties and missing points, for
// windows from 1 to longer than the series.
func TestMovingMedianNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 2))
	for trial := range 300 {
		n := 1 + r.IntN(60)
		y := make([]float64, n)
		for i := range y {
			y[i] = float64(r.IntN(8)) - 3
			if r.IntN(6) == 0 {
				y[i] = math.NaN()
			}
		}
		w := 1 + r.IntN(n+3)
		got := MovingMedian(y, w)
		for i := range y {
			lo := min(max(i-w/2, 0), max(n-w, 0))
			var win []float64
			for _, v := range y[lo:min(lo+w, n)] {
				if !math.IsNaN(v) {
					win = append(win, v)
				}
			}
			want := math.NaN()
			if len(win) > 0 {
				slices.Sort(win)
				want = win[len(win)/2]
				if len(win)%2 == 0 {
					want = (win[len(win)/2-1] + win[len(win)/2]) / 2
				}
			}
			if got[i] != want && !(math.IsNaN(got[i]) && math.IsNaN(want)) {
				t.Fatalf("trial %d: y %v w %d point %d: %v, want %v", trial, y, w, i, got[i], want)
			}
		}
	}
}
