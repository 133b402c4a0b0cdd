// Package teamtest holds the team store's end-to-end tests: many machines
// ingesting into one PostgreSQL store at once (USAGESCAN_TEST_PG), compared
// with a pure scan of everything they read. It has no code of its own.
package teamtest
