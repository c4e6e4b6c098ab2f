// Package sla keeps the service's promises to customers: SLA policies with
// first-response, next-response and resolution targets counted in business
// hours; business-hours calendars with Chinese public holidays and make-up
// working days (调休); every ticket's SLA clocks, with warnings and breaches
// as durable jobs that escalate; the % met report; and satisfaction
// surveys (CSAT) with their report.
//
// How a ticket's clocks run:
//
//   - The policy is chosen by Match: the ticket's priority, narrowed by
//     team, category and tag, most specific first.
//   - Targets are business time in the policy's calendar (the default
//     calendar when it names none). Add and Elapsed on Hours do the
//     arithmetic; holidays close a weekday, make-up days open a weekend.
//   - First response runs from creation to the first public reply. Next
//     response runs from each requester message that follows a reply to
//     the next public reply. Resolution runs while the ticket is new or
//     open: pending pauses it, solving stops it, reopening resumes it.
//     Solving also stops the response clocks.
//   - A target breaches at the instant its business time runs out; a reply
//     at that very instant meets it.
//   - The clocks are recomputed from the ticket, its history and its
//     conversation on every ticket event, so a change of priority, team,
//     category, tag or policy retargets the clocks still running. Outcomes
//     already decided stand: a breach is never excused by a later change.
//
// Every recomputation schedules a check job at the next warning or due
// instant. A check re-reads the ticket when it runs (it may have been
// answered, paused or re-prioritised since), records what happened, emits
// the sla.warning or sla.breached event for webhooks and queues the
// policy's escalations, which change the ticket through the ticket service
// so that history, events and routing follow as for any other change.
package sla
