package measure

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

// A hand-computed case: a $50 window, spend $10 by 08:30 (20%), $20 by 09:00
// (40%), $30 by 10:00 (60%): every interval holds 50 and the fit is exact.
func TestEstimateSpanExact(t *testing.T) {
	reset := at(300)
	points := []Point{{Time: at(10), USD: 10}, {Time: at(40), USD: 10}, {Time: at(100), USD: 10}}
	rs := []Reading{{at(30), 20, reset}, {at(60), 40, reset}, {at(120), 60, reset}}
	b := EstimateSpan(rs, WindowLength, NewSpend(points), Options{})
	if b == nil {
		t.Fatal("no budget")
	}
	if math.Abs(b.USD-50) > 1e-9 || b.Snapshots != 3 || b.Agree != 3 || b.Spans != 1 {
		t.Fatalf("got %+v, want $50 from 3 agreeing snapshots in 1 window", *b)
	}
	if !b.From.Equal(at(30)) || !b.To.Equal(at(120)) {
		t.Errorf("from %v to %v, want %v to %v", b.From, b.To, at(30), at(120))
	}
	// The region all three allow: 100*30/61 .. 100*30/59 is the tightest of the
	// upper bounds (60%: 49.18-50.85), the lower bounds 100*20/41=48.78,
	// 100*10/21=47.62: so [49.18, 50.85].
	if math.Abs(b.Low-3000.0/61) > 1e-9 || math.Abs(b.High-3000.0/59) > 1e-9 {
		t.Errorf("region [%v, %v], want [%v, %v]", b.Low, b.High, 3000.0/61, 3000.0/59)
	}
	if b.RMSE > 1e-9 || b.Quality() != 1 {
		t.Errorf("RMSE %v quality %v, want 0 and 1", b.RMSE, b.Quality())
	}
}

// Unlogged use lowers a snapshot's ratio; it is outvoted and left out.
func TestEstimateSpanUnloggedOutvoted(t *testing.T) {
	r1, r2 := at(300), at(600)
	points := []Point{
		{Time: at(10), USD: 20}, {Time: at(100), USD: 20}, // window 1: $40 of $100
		{Time: at(310), USD: 30}, {Time: at(400), USD: 30}, // window 2: $60 logged
	}
	rs := []Reading{
		{at(20), 20, r1}, {at(110), 40, r1}, // clean
		{at(320), 30, r2}, {at(410), 80, r2}, // $20 of claude.ai use between: 80% not 60%
	}
	b := EstimateSpan(rs, WindowLength, NewSpend(points), Options{})
	if b == nil || math.Abs(b.USD-100) > 1e-9 {
		t.Fatalf("got %+v, want $100", b)
	}
	if b.Snapshots != 4 || b.Agree != 3 || b.Spans != 2 {
		t.Errorf("snapshots %d agree %d spans %d, want 4, 3, 2", b.Snapshots, b.Agree, b.Spans)
	}
	// The naive mean of the ratios would be (100+100+100+75)/4 = 93.75.
}

func TestEstimateSpanFilters(t *testing.T) {
	reset := at(300)
	points := []Point{{Time: at(10), USD: 5}, {Time: at(200), USD: 45}}
	cases := []struct {
		name string
		r    Reading
	}{
		{"below the floor", Reading{at(20), 5, reset}},
		{"at the limit", Reading{at(250), 100, reset}},
		{"after the reset", Reading{at(301), 50, reset}},
		{"before the window", Reading{at(-1), 55, reset}},
		{"no reset", Reading{at(250), 50, time.Time{}}},
		{"no logged spend", Reading{at(5), 20, reset}},
	}
	for _, c := range cases {
		good := []Reading{{at(210), 50, reset}, {at(220), 50.0001, reset}}
		b := EstimateSpan(append(good, c.r), WindowLength, NewSpend(points), Options{})
		if b == nil || b.Snapshots != 2 {
			t.Errorf("%s: got %+v, want the reading left out (2 usable)", c.name, b)
		}
	}
	if b := EstimateSpan([]Reading{{at(210), 50, reset}}, WindowLength, NewSpend(points), Options{}); b != nil {
		t.Errorf("one reading: got %+v, want nil (MinSnapshots 2)", *b)
	}
}

func TestDedupe(t *testing.T) {
	reset := at(300)
	rs := []Reading{{at(30), 20, reset}, {at(10), 20, reset}, {at(40), 21, reset}, {at(50), 20, reset.Add(300 * time.Millisecond)}}
	got := Dedupe(rs)
	if len(got) != 2 || !got[0].Time.Equal(at(10)) || got[1].Pct != 21 {
		t.Fatalf("got %+v, want the 08:10 reading at 20%% and the 21%% one", got)
	}
}

func TestSpendBetween(t *testing.T) {
	s := NewSpend([]Point{{Time: at(20), USD: 2, Class: [NumClasses]float64{1, 1, 0, 0}}, {Time: at(10), USD: 1}, {Time: at(30), USD: 4}})
	for _, c := range []struct {
		from, to int
		want     float64
	}{{0, 100, 7}, {10, 20, 3}, {11, 29, 2}, {21, 29, 0}, {30, 30, 4}, {40, 50, 0}} {
		if got, _ := s.Between(at(c.from), at(c.to)); got != c.want {
			t.Errorf("Between(%d, %d) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if _, cl := s.Between(at(0), at(100)); cl[Input] != 1 || cl[Output] != 1 {
		t.Errorf("classes %v, want input 1 output 1", cl)
	}
}

// sim is a synthetic user: sessions of requests, a meter that counts them and
// any unlogged use, and snapshots after requests.
type sim struct {
	budget5, budgetWk float64
	noise             float64             // standard deviation of the meter, in points, before rounding
	unloggedWindows   float64             // share of windows with claude.ai use, in the unloggedWeeks
	unloggedWeeks     map[int]bool        // weeks (from 0) with claude.ai use
	weights           [NumClasses]float64 // how the meter counts each class (0: 1)
}

func (s sim) run(seed uint64) (five, week []Reading, points []Point) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var winStart, weekStart time.Time
	var win, wk float64 // metered use in the current window and week
	weekNo := -1
	t := t0
	meter := func(x, budget float64) float64 {
		p := 100*x/budget + rng.NormFloat64()*s.noise
		return math.Max(0, math.Round(p))
	}
	for day := 0; day < 35; day++ {
		for session := 0; session < 2; session++ {
			t = t0.AddDate(0, 0, day).Add(time.Duration(session*6+rng.IntN(3)) * time.Hour)
			unlogged := rng.Float64() < s.unloggedWindows // applies in unloggedWeeks only
			for k := 0; k < 25; k++ {
				t = t.Add(time.Duration(2+rng.IntN(8)) * time.Minute)
				if winStart.IsZero() || !t.Before(winStart.Add(WindowLength)) {
					winStart, win = t, 0
				}
				if weekStart.IsZero() || !t.Before(weekStart.Add(WeekLength)) {
					weekStart, wk = t, 0
					weekNo++
				}
				usd := 0.2 + rng.Float64()*1.2
				var p Point
				p.Time = t
				// Each class's share varies by request, independently.
				var share [NumClasses]float64
				tot := 0.0
				for c := range NumClasses {
					share[c] = 0.05 + rng.Float64()
					tot += share[c]
				}
				for c := range NumClasses {
					share[c] /= tot
				}
				metered := 0.0
				for c := range NumClasses {
					p.Class[c] = usd * share[c]
					w := s.weights[c]
					if w == 0 {
						w = 1
					}
					metered += w * p.Class[c]
				}
				p.USD = usd
				points = append(points, p)
				win += metered
				wk += metered
				if s.unloggedWeeks[weekNo] && unlogged && k%5 == 2 {
					x := 1 + rng.Float64()*2 // a claude.ai conversation
					win += x
					wk += x
				}
				if 100*win/s.budget5 >= 99.5 || 100*wk/s.budgetWk >= 99.5 {
					continue // blocked: a real user would wait; keep the meter under 100
				}
				ts := t.Add(time.Second)
				five = append(five, Reading{ts, meter(win, s.budget5), winStart.Add(WindowLength)})
				week = append(week, Reading{ts, meter(wk, s.budgetWk), weekStart.Add(WeekLength)})
			}
		}
	}
	return five, week, points
}

func TestEstimateRecoversSyntheticBudgets(t *testing.T) {
	cases := []struct {
		name string
		sim  sim
	}{
		{"rounding only", sim{budget5: 40, budgetWk: 420}},
		{"noisy meter", sim{budget5: 40, budgetWk: 420, noise: 0.8}},
		{"unlogged use in half the windows of two weeks of five", sim{budget5: 40, budgetWk: 420, noise: 0.5, unloggedWindows: 0.5, unloggedWeeks: map[int]bool{1: true, 3: true}}},
		{"unlogged use in every window of three weeks of five", sim{budget5: 40, budgetWk: 420, noise: 0.5, unloggedWindows: 1, unloggedWeeks: map[int]bool{0: true, 2: true, 4: true}}},
		{"a bigger plan", sim{budget5: 130, budgetWk: 900, noise: 0.5, unloggedWindows: 0.3, unloggedWeeks: map[int]bool{0: true, 3: true}}},
	}
	for _, c := range cases {
		for seed := uint64(1); seed <= 5; seed++ {
			five, week, points := c.sim.run(seed)
			res := Estimate(five, week, points, Options{})
			check := func(what string, b *Budget, want float64) {
				if b == nil {
					t.Errorf("%s seed %d: no %s budget", c.name, seed, what)
					return
				}
				if e := math.Abs(b.USD/want - 1); e > 0.05 {
					t.Errorf("%s seed %d: %s budget $%.2f, want $%.2f within 5%% (off %.1f%%; %d of %d agree)", c.name, seed, what, b.USD, want, 100*e, b.Agree, b.Snapshots)
				}
			}
			check("5-hour", res.FiveHour, c.sim.budget5)
			check("weekly", res.Week, c.sim.budgetWk)
		}
	}
}

// The estimator's reason to exist: the maximum of the ratios, the obvious
// upper-envelope estimator, is thrown off by rounding at low percentages.
func TestMaxRatioIsWorse(t *testing.T) {
	five, _, points := sim{budget5: 40, budgetWk: 420, noise: 0.8}.run(3)
	s := NewSpend(points)
	maxRatio := 0.0
	for _, r := range Dedupe(five) {
		if r.Pct < 10 || r.Pct >= 99.5 || !r.Time.Before(r.Reset) {
			continue
		}
		usd, _ := s.Between(r.Reset.Add(-WindowLength), r.Time)
		maxRatio = math.Max(maxRatio, 100*usd/r.Pct)
	}
	b := EstimateSpan(five, WindowLength, s, Options{})
	if math.Abs(maxRatio/40-1) < 0.05 {
		t.Skipf("the max ratio happened to be close (%.2f)", maxRatio)
	}
	if math.Abs(b.USD/40-1) >= math.Abs(maxRatio/40-1) {
		t.Errorf("estimate $%.2f is no better than the max ratio $%.2f (truth $40)", b.USD, maxRatio)
	}
}

func TestFitWeights(t *testing.T) {
	// The meter counts cache reads at a quarter of their list price: with 40%
	// of the list spend in cache reads, $1 of list spend meters as $0.70.
	s := sim{budget5: 30, budgetWk: 5000, weights: [NumClasses]float64{1, 1, 1, 0.25}}
	five, _, points := s.run(11)
	b := EstimateSpan(five, WindowLength, NewSpend(points), Options{})
	if b == nil || b.Weights == nil {
		t.Fatalf("no weights: %+v", b)
	}
	// The single fit sees list dollars; on average a quarter of the spend is
	// cache reads, metered at 0.25: $1 of list spend meters as about $0.81,
	// so 100% is about 30/0.8125 = $36.9 of list spend.
	if math.Abs(b.USD/(30/0.8125)-1) > 0.05 {
		t.Errorf("single budget $%.2f, want about $%.2f", b.USD, 30/0.8125)
	}
	w := b.Weights
	// The weights come out relative to the single budget: each is the true one
	// times b.USD/30, so relative to output's they are the truth.
	if !(w.W[Output] > 0) {
		t.Fatalf("output weight %v", w.W[Output])
	}
	for c, want := range [NumClasses]float64{1, 1, 1, 0.25} {
		if got := w.W[c] / w.W[Output]; math.Abs(got-want) > 0.1 {
			t.Errorf("%s weight / output weight = %.3f, want %.2f (weights %v)", Class(c), got, want, w.W)
		}
	}
	if w.RMSE > w.BaseRMSE || w.Improvement() < 0.2 {
		t.Errorf("RMSE %.3f vs base %.3f (improvement %.2f): want the class fit clearly better", w.RMSE, w.BaseRMSE, w.Improvement())
	}
}
