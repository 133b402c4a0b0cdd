package statusline

import (
	"slices"
	"sync"
	"time"

	"github.com/usagescan/usagescan/measure"
)

// Store is what the status line needs of the history store. The command
// brings the store up to date from the session's transcript before Build
// asks it anything.
type Store interface {
	// RecordSnapshot keeps a meter reading; a repeat of a stored reading of the
	// same user (Snapshot.SameReading) is kept once, the first.
	RecordSnapshot(s Snapshot) error
	// Snapshots returns the user's readings taken at or after since, in time order.
	Snapshots(user string, since time.Time) ([]Snapshot, error)
	// Spend returns the user's logged API-equivalent spend at or after since:
	// one point per request (list price, token classes split), in any order.
	// Requests that do not draw on the plan (CI on an API key) are left out.
	Spend(user string, since time.Time) ([]measure.Point, error)
}

// MemStore is a Store in memory, for tests and for runs without a store.
type MemStore struct {
	mu     sync.Mutex
	snaps  []Snapshot
	seen   map[readingKey]bool
	points map[string][]measure.Point
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{seen: map[readingKey]bool{}, points: map[string][]measure.Point{}}
}

// AddSpend adds logged spend of user.
func (m *MemStore) AddSpend(user string, ps ...measure.Point) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.points[user] = append(m.points[user], ps...)
}

// RecordSnapshot implements Store.
func (m *MemStore) RecordSnapshot(s Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k := s.key(); !m.seen[k] {
		m.seen[k] = true
		m.snaps = append(m.snaps, s)
	}
	return nil
}

// Snapshots implements Store.
func (m *MemStore) Snapshots(user string, since time.Time) ([]Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Snapshot
	for _, s := range m.snaps {
		if s.User == user && !s.Time.Before(since) {
			out = append(out, s)
		}
	}
	sortByTime(out)
	return out, nil
}

// Spend implements Store.
func (m *MemStore) Spend(user string, since time.Time) ([]measure.Point, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]measure.Point, 0, len(m.points[user]))
	for _, p := range m.points[user] {
		if !p.Time.Before(since) {
			out = append(out, p)
		}
	}
	return slices.Clip(out), nil
}
