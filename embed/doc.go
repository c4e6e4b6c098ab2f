// Package embed turns text into vectors for similarity search, and keeps
// those vectors searchable in memory.
//
// Two implementations of triage.Embedder live here:
//
//   - OpenAI, a client for any OpenAI-compatible embeddings endpoint
//     (go-openai underneath) with batching, a per-attempt timeout, retries
//     that honour Retry-After, a circuit breaker and a check of every
//     returned vector's length and position;
//   - Local, the default: no network, trained on the service's own corpus
//     (latent semantic analysis over character n-grams and segmenter words,
//     beside a hashed copy of the same features), with an untrained
//     hashed-n-gram fallback so a new, empty service still works.
//
// Chat, the drafter for OpenAI-compatible chat endpoints, shares OpenAI's
// resilience. Both remote clients are built in one place
// (Resilience.client) on egress.Client, so every text they send is masked
// by package pii whatever their callers pass.
//
// Index is the exact top-k search over unit vectors used in embedded mode.
//
// The package imports the segmenter only through triage.Segmenter: package
// cmd injects package segment's implementation.
package embed
