package limit

import "container/list"

// lru is a map with a bounded number of entries that forgets the least
// recently used. It is not safe for concurrent use; its owners lock.
type lru[V any] struct {
	max   int
	ll    *list.List // front: most recently used
	items map[string]*list.Element
}

type entry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	if max < 1 {
		max = 1
	}
	return &lru[V]{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

// get returns the value of key and marks it used.
func (c *lru[V]) get(key string) (V, bool) {
	if e, ok := c.items[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*entry[V]).val, true
	}
	var zero V
	return zero, false
}

// put sets key to val, marking it used. When that makes the map too large
// it evicts one entry: the least recently used one for which keep reports
// false among the oldest few, or else the least recently used of all, so
// that an entry worth keeping (a locked-out account) is not the first to
// go in a flood of new keys.
func (c *lru[V]) put(key string, val V, keep func(V) bool) {
	if e, ok := c.items[key]; ok {
		c.ll.MoveToFront(e)
		e.Value.(*entry[V]).val = val
		return
	}
	c.items[key] = c.ll.PushFront(&entry[V]{key, val})
	if c.ll.Len() <= c.max {
		return
	}
	victim := c.ll.Back()
	if keep != nil {
		// Look at a bounded number of the oldest entries, so that a put
		// stays O(1) however full of kept entries the map is.
		for e, n := c.ll.Back(), 0; e != nil && n < 64; e, n = e.Prev(), n+1 {
			if !keep(e.Value.(*entry[V]).val) {
				victim = e
				break
			}
		}
	}
	c.remove(victim)
}

func (c *lru[V]) remove(e *list.Element) {
	c.ll.Remove(e)
	delete(c.items, e.Value.(*entry[V]).key)
}

func (c *lru[V]) delete(key string) {
	if e, ok := c.items[key]; ok {
		c.remove(e)
	}
}

func (c *lru[V]) len() int { return c.ll.Len() }
