package main

import (
	"context"
	"flag"
	"strings"

	"github.com/triagehq/triage/sla"
)

// slaConfig is the configuration of SLA and satisfaction surveys.
type slaConfig struct {
	// SurveyURL starts every survey link; the token follows it.
	SurveyURL string
}

func (c *Config) slaFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.SurveyURL, "survey-url", "", "start of satisfaction survey links, the token follows (e.g. https://help.example.com/app/survey/); default: this server's survey page, /app/survey/")
}

// surveyURL is the configured start of survey links, or this server's
// own survey page: a customer opens the link in a browser, so it goes to
// the page that answers through /v1/csat/, not to that JSON route.
func (c *Config) surveyURL() string {
	if c.SurveyURL != "" {
		return c.SurveyURL
	}
	return "http://" + strings.TrimPrefix(c.Addr, "http://") + "/app/survey/"
}

// openSLA wires SLA clocks, business-hours calendars and satisfaction
// surveys, and subscribes them to ticket events. A new store gets the
// shipped Chinese holiday calendar and one policy per priority.
func (m *Main) openSLA(ctx context.Context) error {
	m.SLA = &sla.Service{Store: m.Store, Tickets: m.Desk, SurveyURL: m.Config.surveyURL(), Log: m.Log}
	if err := m.SLA.Seed(ctx); err != nil {
		return err
	}
	return nil
}
