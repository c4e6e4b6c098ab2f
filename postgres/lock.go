package postgres

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockKey turns a lock's name into the 64-bit key of an advisory lock,
// away from routingLock's constant.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("triage lock\x00" + name))
	return int64(h.Sum64())
}

// TryLock takes a session advisory lock on a connection of its own (not
// one of the pool's, which stay free for requests): the lock lasts as
// long as that connection, so a replica that dies or loses the database
// lets another take over. The connection is pinged every ten seconds;
// when it fails, lost is closed.
func (db *DB) TryLock(ctx context.Context, name string) (release func(), lost <-chan struct{}, ok bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, nil, false, dbError("lock", err)
	}
	key := lockKey(name)
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil || !ok {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, nil, false, dbError("lock", err)
	}
	gone := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := conn.Ping(pctx)
				cancel()
				if err != nil {
					close(gone)
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			// Closing the session releases the lock; unlocking first
			// makes it free at once even if the close is slow.
			_, _ = conn.Exec(cctx, `SELECT pg_advisory_unlock($1)`, key)
			_ = conn.Close(cctx)
		})
	}, gone, true, nil
}
