// Package mail is the e-mail channel's technology: it reads mail as it
// really arrives at Chinese support addresses (GB2312/GBK/GB18030/Big5,
// RFC 2047 and 2231, HTML-only mail from QQ邮箱, Foxmail and Outlook, quoted
// history, auto-replies and bounces), composes replies that keep the
// customer's mail client threading, sends them over SMTP, and fetches new
// mail from an IMAP folder.
//
// It knows nothing of tickets beyond the root package's limits: the
// application layer turns a Message into desk calls and commits the IMAP
// Position in the same store transaction, and only then does the Fetcher
// mark the mail seen or move it. The libraries it wraps (enmime for MIME,
// go-imap for IMAP, go-mail for SMTP) stay inside this package.
package mail
