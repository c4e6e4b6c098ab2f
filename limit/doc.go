// Package limit holds the abuse defences of the public and sign-in routes,
// over golang.org/x/time/rate:
//
//   - Limiter: a token bucket per key (a token, a client address, a
//     contact) kept in a bounded LRU, so a flood of distinct keys cannot
//     grow memory without bound. Each decision carries what a 429 needs:
//     Retry-After and the RateLimit-Limit, RateLimit-Remaining and
//     RateLimit-Reset values of the IETF httpapi draft (GitHub's headers,
//     without the X-).
//   - Lockout: failed sign-ins per account and per client address, with a
//     temporary lockout whose length doubles with each further failure.
//   - Proxies: the client address of a request, honouring
//     X-Forwarded-For only from the configured trusted proxies and reading
//     it right to left, so that a client cannot choose its own address.
//   - PoW: a small hashcash-style proof of work (SHA-256, adjustable
//     difficulty, a challenge MACed with a server secret, bound to a time
//     window and accepted once) for the public request form, and Honeypot,
//     a hidden-field check; both stop cheap bots without a third-party
//     captcha, which many Chinese customers cannot load.
//
// Nothing here knows about HTTP routes or stores: the api package asks and
// answers. The package imports only the domain root, for triage.Error.
package limit
