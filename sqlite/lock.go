package sqlite

import (
	"context"
	"sync"
)

// locks are the named locks of TryLock. One process owns an embedded
// store, so a lock in memory is a lock on the store.
type locks struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryLock takes a named lock within this process; it is never lost.
func (db *DB) TryLock(ctx context.Context, name string) (release func(), lost <-chan struct{}, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, false, err
	}
	db.locks.mu.Lock()
	defer db.locks.mu.Unlock()
	if db.locks.held == nil {
		db.locks.held = map[string]bool{}
	}
	if db.locks.held[name] {
		return nil, nil, false, nil
	}
	db.locks.held[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			db.locks.mu.Lock()
			delete(db.locks.held, name)
			db.locks.mu.Unlock()
		})
	}, make(chan struct{}), true, nil
}
