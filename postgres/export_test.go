package postgres

// SearchSQL is searchSQL, for tests that EXPLAIN the query Search sends.
var SearchSQL = searchSQL

// RoutingLock is routingLock, for tests that check who holds it.
const RoutingLock = routingLock
