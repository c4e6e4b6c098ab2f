package postgres

// SearchSQL is searchSQL, for tests that EXPLAIN the query Search sends.
var SearchSQL = searchSQL
