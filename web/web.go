// Package web is triage's browser UI: hand-written HTML, CSS and JavaScript
// modules, embedded in the binary so that one file serves the API and the
// pages that use it, with no front-end toolchain at build time and no
// network at run time (the people using it are often behind a firewall).
//
// The UI talks to the service only through the public HTTP API, the same
// one scripts and integrations use; nothing here knows the service's Go
// types. That keeps the API the contract and lets this package import
// nothing from the project.
//
// The API serves these files (api/ui.go): the page names each by a
// content-hashed URL (/assets/js/api.js?v=<hash>, through an import map for
// the modules), which browsers keep until the file changes; by its plain
// name a file is revalidated with its ETag. The JavaScript is checked by
// eslint, tsc --checkJs and node --test (package.json, `make test`), not
// built: the browser runs it as written.
//
// Layout of the files FS returns:
//
//	index.html          the one page; every /app/… URL serves it
//	assets/app.css      styles
//	assets/js/*.js      ES modules; main.js boots the rest
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the UI's files, rooted so that "index.html" and
// "assets/app.css" are top-level paths.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only on an invalid path name, and "static" is a
		// constant that the embed directive above proves exists.
		panic(err)
	}
	return sub
}
