package triage

// OpsReader holds the store's reads for webhooks and their deliveries,
// reports and ticket links (duplicates, merges).
type OpsReader interface{}

// OpsWriter holds the store's writes for the same.
type OpsWriter interface{}
