package measure

import "math"

// MinWeightSnapshots is how many agreeing readings the per-class fit needs.
const MinWeightSnapshots = 8

// Weights is a per-class fit of the meter: percent = 100 × Σ W[c]·S[c] / USD,
// S[c] the logged spend of class c at list price. A weight of 1 counts the
// class at list price, as the single-budget fit does; a cache-read weight of
// 0.5 would mean the plan counts cache reads at half their list price.
type Weights struct {
	W [NumClasses]float64
	// Used marks the classes the readings had spend of; the others are 0.
	Used [NumClasses]bool
	// RMSE is the fit's root mean square error in percentage points; BaseRMSE
	// the single-budget fit's over the same readings. Both are in-sample.
	RMSE, BaseRMSE float64
	Snapshots      int
}

// Improvement is the share by which the per-class fit lowers the error, 0-1.
func (w *Weights) Improvement() float64 {
	if w == nil || w.BaseRMSE == 0 {
		return 0
	}
	return 1 - w.RMSE/w.BaseRMSE
}

// fitWeights fits non-negative per-class weights by least squares (every
// subset of classes is solved and the best feasible one kept: exact
// non-negative least squares for four unknowns), first to the readings that
// agree with the single budget, then, twice more, to the readings that agree
// with the weighted model: a reading of unusual class mix may disagree with
// the single budget only because the classes count differently. nil when there
// are fewer than MinWeightSnapshots readings or no class split.
func fitWeights(all, agree []obs, b *Budget, slack float64) *Weights {
	w := fitOnce(agree, b)
	for range 2 {
		if w == nil {
			return nil
		}
		var again []obs
		for _, o := range all {
			sw := 0.0
			for c := range NumClasses {
				sw += w.W[c] * o.class[c]
			}
			h := slack
			if o.r.Pct != math.Trunc(o.r.Pct) {
				h /= 10
			}
			if lo, hi := 100*sw/(o.r.Pct+h), 100*sw/(o.r.Pct-h); lo <= b.USD && b.USD <= hi {
				again = append(again, o)
			}
		}
		next := fitOnce(again, b)
		if next == nil {
			return w
		}
		w = next
	}
	return w
}

func fitOnce(agree []obs, b *Budget) *Weights {
	if len(agree) < MinWeightSnapshots {
		return nil
	}
	var used [NumClasses]bool
	for _, o := range agree {
		split := 0.0
		for c := range NumClasses {
			split += o.class[c]
			if o.class[c] > 0 {
				used[c] = true
			}
		}
		if split <= 0 {
			return nil // no class split for some reading
		}
	}
	w := &Weights{Used: used, Snapshots: len(agree)}
	// The baseline over the class split (web search and the like left out, as
	// in the per-class fit, so that the two compare the same spend).
	var base float64
	for _, o := range agree {
		d := o.r.Pct - 100*sum(o.class)/b.USD
		base += d * d
	}
	w.BaseRMSE = math.Sqrt(base / float64(len(agree)))

	best := math.Inf(1)
	for mask := 1; mask < 1<<NumClasses; mask++ {
		var cols []Class
		for c := range NumClasses {
			if mask&(1<<c) != 0 && used[c] {
				cols = append(cols, c)
			}
		}
		if len(cols) == 0 || len(cols) != popcount(mask) {
			continue
		}
		beta, ok := solve(agree, cols)
		if !ok {
			continue
		}
		feasible := true
		for _, x := range beta {
			feasible = feasible && x >= 0
		}
		if !feasible {
			continue
		}
		var se float64
		for _, o := range agree {
			pred := 0.0
			for k, c := range cols {
				pred += beta[k] * 100 * o.class[c]
			}
			se += (o.r.Pct - pred) * (o.r.Pct - pred)
		}
		if se < best-1e-12 {
			best = se
			w.W = [NumClasses]float64{}
			for k, c := range cols {
				w.W[c] = beta[k] * b.USD // relative to list price at the measured budget
			}
		}
	}
	if math.IsInf(best, 1) {
		return nil
	}
	w.RMSE = math.Sqrt(best / float64(len(agree)))
	return w
}

func sum(xs [NumClasses]float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

func popcount(m int) int {
	n := 0
	for ; m > 0; m &= m - 1 {
		n++
	}
	return n
}

// solve solves the normal equations of pct = Σ β_k·100·S[cols[k]] by Gaussian
// elimination with partial pivoting; false when they are singular.
func solve(agree []obs, cols []Class) ([]float64, bool) {
	n := len(cols)
	a := make([][]float64, n)
	for i := range a {
		a[i] = make([]float64, n+1)
	}
	for _, o := range agree {
		for i, ci := range cols {
			xi := 100 * o.class[ci]
			for j, cj := range cols {
				a[i][j] += xi * 100 * o.class[cj]
			}
			a[i][n] += xi * o.r.Pct
		}
	}
	for col := range n {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12*math.Max(1, math.Abs(a[col][col])) || a[p][col] == 0 {
			return nil, false
		}
		a[col], a[p] = a[p], a[col]
		for r := range n {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for k := col; k <= n; k++ {
				a[r][k] -= f * a[col][k]
			}
		}
	}
	x := make([]float64, n)
	for i := range n {
		x[i] = a[i][n] / a[i][i]
	}
	return x, true
}
