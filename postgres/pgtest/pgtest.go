// Package pgtest gives tests a PostgreSQL database of their own.
//
// Tests find the server through TRIAGE_TEST_POSTGRES, a URL with rights to
// create databases (on these machines
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Without it they
// skip with a message that says how to run them, unless
// TRIAGE_TEST_POSTGRES_REQUIRED=1 (CI sets both), which turns the skip into
// a failure so that CI can never pass by skipping. Each test gets a new
// database, dropped when it ends, so runs never see each other's data.
//
// The pgvector extension is not packaged for Debian bookworm; tests that
// need it call RequireVector, which skips loudly when the server does not
// offer it (and fails when TRIAGE_TEST_PGVECTOR_REQUIRED=1).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables that configure the tests.
const (
	EnvURL            = "TRIAGE_TEST_POSTGRES"
	EnvRequired       = "TRIAGE_TEST_POSTGRES_REQUIRED"
	EnvVectorRequired = "TRIAGE_TEST_PGVECTOR_REQUIRED"
)

// ServerURL returns the URL of the test server, or skips (fails, when
// required) without one.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	msg := EnvURL + " is not set, so the PostgreSQL tests do not run; set it to a server where the user may create databases, e.g. " +
		EnvURL + "=postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	if os.Getenv(EnvRequired) == "1" {
		t.Fatal(msg + " (" + EnvRequired + "=1 makes this a failure)")
	}
	t.Skip(msg)
	return ""
}

// NewDatabase creates an empty database for the test, dropped when the test
// ends, and returns its URL (the server URL with the database replaced).
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("%s: cannot connect: %v", EnvURL, err)
	}
	defer admin.Close(context.Background())
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "triage_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { Drop(t, server, name) })
	return WithDatabase(t, server, name)
}

// Drop drops a database, closing whatever connections are still open on it.
func Drop(t testing.TB, server, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Errorf("drop database %s: %v", name, err)
		return
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		t.Errorf("drop database %s: %v", name, err)
	}
}

// WithDatabase returns server with its database replaced by name.
func WithDatabase(t testing.TB, server, name string) string {
	t.Helper()
	return withURL(t, server, func(u *url.URL, _ url.Values) { u.Path = "/" + name })
}

// WithParam returns dbURL with one more query parameter, e.g. search_path,
// which pgx sends as a run-time parameter of every connection.
func WithParam(t testing.TB, dbURL, key, value string) string {
	t.Helper()
	return withURL(t, dbURL, func(_ *url.URL, q url.Values) { q.Set(key, value) })
}

func withURL(t testing.TB, s string, edit func(*url.URL, url.Values)) string {
	t.Helper()
	if !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("%s does not parse: %v", EnvURL, err)
	}
	q := u.Query()
	edit(u, q)
	u.RawQuery = q.Encode()
	return u.String()
}

// RequireVector skips the test, loudly, when the server cannot install the
// pgvector extension; with TRIAGE_TEST_PGVECTOR_REQUIRED=1 it fails instead.
func RequireVector(t testing.TB, dbURL string) {
	t.Helper()
	if !VectorAvailable(t, dbURL) {
		msg := "SKIPPED LOUDLY: the pgvector extension is not available on this PostgreSQL server " +
			"(pg_available_extensions has no 'vector'; Debian bookworm does not package it), so the vector(N)/HNSW path is NOT tested here. " +
			"Install pgvector on the server and run again to test it."
		if os.Getenv(EnvVectorRequired) == "1" {
			t.Fatal(msg + " (" + EnvVectorRequired + "=1 makes this a failure)")
		}
		t.Skip(msg)
	}
}

// VectorAvailable reports whether the server offers the pgvector extension.
func VectorAvailable(t testing.TB, dbURL string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')`).Scan(&ok); err != nil {
		t.Fatalf("probe pg_available_extensions: %v", err)
	}
	return ok
}
