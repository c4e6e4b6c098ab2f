package app

import (
	"strings"

	"github.com/triagehq/triage/api"
	"github.com/triagehq/triage/helpcentre"
)

// openHelp builds the public help centre over the store, the agents'
// search and the KB's renderer.
func (a *App) openHelp() error {
	svc, err := helpcentre.New(helpcentre.Service{Store: a.Store, Search: a.Searcher, Render: a.KB.Render, BaseURL: a.publicURL()})
	if err != nil {
		return err
	}
	pages, err := helpcentre.NewHandler(svc, a.Log)
	if err != nil {
		return err
	}
	a.Help, a.helpPages = svc, pages
	return nil
}

// helpConfig is what the HTTP server needs of the help centre.
func (a *App) helpConfig() api.Help {
	if a.Help == nil {
		return api.Help{}
	}
	return api.Help{Pages: a.helpPages, Settings: a.Help}
}

// publicURL starts the help centre's canonical links and sitemap: the
// configured public address, or this server's own.
func (a *App) publicURL() string {
	if a.Config.PublicURL != "" {
		return strings.TrimRight(a.Config.PublicURL, "/")
	}
	addr := strings.TrimPrefix(a.Config.Addr, "http://")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	return "http://" + addr
}
