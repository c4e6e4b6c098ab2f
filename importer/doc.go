// Package importer reads other helpdesks' ticket exports and yields them one
// by one as triage.ImportedTicket, so a team that moves to triage brings its
// history: the classifier and the similar-ticket index learn from it on day
// one.
//
// Formats, each as its vendor documents it:
//
//   - Zendesk: the incremental ticket export (cursor or time based pages
//     with "tickets", side-loaded "users", "groups", "metric_sets", and
//     "end_of_stream"/"after_cursor"), tickets with their "comments"
//     embedded or side-loaded in a "comments" list with "ticket_id", a
//     single ticket ({"ticket": …}), and the JSON Lines form of the full
//     account export (one ticket per line).
//   - Zammad: the REST API's tickets (GET /api/v1/tickets?expand=true, an
//     array) with their articles embedded as "articles" or side-loaded in a
//     "ticket_articles" list, the "assets" form of /tickets/search, and
//     JSON Lines.
//   - Freshdesk: the CSV export of the ticket list (English headers, and
//     the Chinese headers of an account in Chinese).
//   - Generic CSV and JSON Lines, described by a mapping file (Mapping).
//
// Reading streams: a JSON Lines file, a top-level array and a CSV file are
// read one ticket at a time. A Zendesk or Zammad page object is held whole
// until it ends, because its side-loads (users for e-mail addresses, the
// comment list) may follow its tickets; Zendesk caps a page at 1,000
// tickets.
//
// Every record is accounted for: a ticket, or a skip with a typed reason and
// the record's line ("bad_line" at line 12), never a silent drop. Changes
// made on the way in (a tag left out, a missing solve time estimated) are
// notes on the ticket. A record's Position says where it was read, and
// Options.StartAt resumes an interrupted import; ImportedTicket.Key makes a
// second import of the same ticket recognisable.
//
// The package reads; it does not write to a store, train or index. It
// imports only the domain root, the standard library and, for CSV files that
// Chinese Excel saved in GB18030/GBK, golang.org/x/text's decoder.
package importer
