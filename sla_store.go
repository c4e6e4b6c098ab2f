package triage

// SLAReader holds the store's reads for SLA policies, business-hours
// calendars, per-ticket SLA clocks and satisfaction surveys.
type SLAReader interface{}

// SLAWriter holds the store's writes for the same.
type SLAWriter interface{}
